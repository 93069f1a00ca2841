// Reads the v1alpha1 type declarations with ts-morph and writes CustomResourceDefinitions with
// structural OpenAPI v3 schemas. The types stay the single source of truth: descriptions come
// from doc comments, and schema constraints from tags (@default, @minimum, @maximum, @pattern,
// @minLength, @maxLength, @minItems, @maxItems, @listMapKeys, @preserveUnknownFields).
// Anything the generator does not understand is an error, never a silently loose schema.
import path from 'node:path';
import { Node, Project, type JSDocableNode, type TypeNode } from 'ts-morph';
import { CATEGORY, KINDS, type KindInfo } from '../../api/v1alpha1/kinds.ts';
import { GROUP, VERSION } from '../../api/v1alpha1/meta.ts';
import type { CustomResourceDefinition, JSONSchemaProps } from '../../api/schema.ts';

const API_DIR = path.resolve(import.meta.dirname, '../../api/v1alpha1');
const SOURCES = ['meta.ts', 'pipeline.ts', 'trigger.ts', 'run.ts'];

/** Aliases that carry a format rather than a shape. */
const SCALARS: Record<string, JSONSchemaProps> = {
  Int32: { type: 'integer', format: 'int32' },
  Int64: { type: 'integer', format: 'int64' },
  Time: { type: 'string', format: 'date-time' },
};

export class CrdGenerationError extends Error {
  override name = 'CrdGenerationError';
}

export function generateCrds(apiDir = API_DIR): CustomResourceDefinition[] {
  const project = new Project({ skipAddingFilesFromTsConfig: true, skipFileDependencyResolution: true });
  const files = SOURCES.map((f) => project.addSourceFileAtPath(path.join(apiDir, f)));
  const gen = new SchemaGenerator(files.flatMap((f) => [...f.getInterfaces(), ...f.getTypeAliases()]));
  return KINDS.map((info) => crdFor(info, gen.rootSchema(info.kind)));
}

function crdFor(info: KindInfo, schema: JSONSchemaProps): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${info.plural}.${GROUP}`, labels: { 'app.kubernetes.io/part-of': 'kayci' } },
    spec: {
      group: GROUP,
      names: {
        kind: info.kind,
        listKind: `${info.kind}List`,
        plural: info.plural,
        singular: info.singular,
        shortNames: info.shortNames,
        categories: [CATEGORY],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: info.printerColumns,
          schema: { openAPIV3Schema: schema },
        },
      ],
    },
  };
}

type Declaration = Node & JSDocableNode;

class SchemaGenerator {
  private readonly declarations = new Map<string, Declaration>();

  constructor(declarations: Declaration[]) {
    for (const d of declarations) {
      const name = (d as unknown as { getName(): string }).getName();
      this.declarations.set(name, d);
    }
  }

  rootSchema(kind: string): JSONSchemaProps {
    const decl = this.declaration(kind);
    const schema = this.declarationSchema(decl, kind);
    const properties = { ...schema.properties };
    // The API server owns these: apiVersion and kind are plain strings, metadata a bare object.
    properties.apiVersion = { type: 'string', description: 'APIVersion of the object: kayci.dev/v1alpha1.' };
    properties.kind = { type: 'string', description: `Kind of the object: ${kind}.` };
    properties.metadata = { type: 'object' };
    return { ...schema, properties, required: ['spec'] };
  }

  private declaration(name: string): Declaration {
    const decl = this.declarations.get(name);
    if (!decl) throw new CrdGenerationError(`type ${name} is not declared in ${SOURCES.join(', ')}`);
    return decl;
  }

  private declarationSchema(decl: Declaration, where: string): JSONSchemaProps {
    const tags = readTags(decl, where);
    if ('preserveUnknownFields' in tags) {
      return withDocs({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, decl, where);
    }
    if (Node.isInterfaceDeclaration(decl)) {
      if (decl.getExtends().length > 0) throw new CrdGenerationError(`${where}: interface ${decl.getName()} extends another; spell its fields out`);
      return withDocs(this.objectSchema(decl.getMembers(), where), decl, where);
    }
    if (Node.isTypeAliasDeclaration(decl)) {
      const typeNode = decl.getTypeNodeOrThrow();
      return withDocs(this.typeSchema(typeNode, where), decl, where);
    }
    throw new CrdGenerationError(`${where}: unsupported declaration ${decl.getKindName()}`);
  }

  private objectSchema(props: Node[], where: string): JSONSchemaProps {
    const properties: Record<string, JSONSchemaProps> = {};
    const required: string[] = [];
    for (const prop of props) {
      if (!Node.isPropertySignature(prop)) throw new CrdGenerationError(`${where}: only plain properties are supported, found ${prop.getKindName()}: ${prop.getText().slice(0, 60)}`);
      const name = prop.getName();
      const at = `${where}.${name}`;
      if ('preserveUnknownFields' in readTags(prop, at)) throw new CrdGenerationError(`${at}: @preserveUnknownFields belongs on a type declaration, not a property`);
      const typeNode = prop.getTypeNode();
      if (!typeNode) throw new CrdGenerationError(`${at}: property needs a type`);
      properties[name] = withDocs(this.typeSchema(typeNode, at), prop, at);
      if (!prop.hasQuestionToken()) required.push(name);
    }
    return required.length > 0 ? { type: 'object', properties, required } : { type: 'object', properties };
  }

  private typeSchema(node: TypeNode, where: string): JSONSchemaProps {
    if (Node.isParenthesizedTypeNode(node)) return this.typeSchema(node.getTypeNode(), where);
    if (Node.isArrayTypeNode(node)) {
      return { type: 'array', items: this.typeSchema(node.getElementTypeNode(), `${where}[]`) };
    }
    if (Node.isTypeLiteral(node)) return this.objectSchema(node.getMembers(), where);
    if (Node.isUnionTypeNode(node)) return enumSchema(node.getTypeNodes(), where);
    if (Node.isLiteralTypeNode(node)) return enumSchema([node], where);
    const text = node.getText();
    if (text === 'string') return { type: 'string' };
    if (text === 'boolean') return { type: 'boolean' };
    if (text === 'number') throw new CrdGenerationError(`${where}: use Int32 or Int64, not number`);
    if (Node.isTypeReference(node)) {
      const name = node.getTypeName().getText();
      const args = node.getTypeArguments();
      if (name === 'Record' && args.length === 2 && args[0]?.getText() === 'string') {
        return { type: 'object', additionalProperties: this.typeSchema(args[1]!, `${where}{}`) };
      }
      const scalar = SCALARS[name];
      if (scalar) return { ...scalar };
      return this.declarationSchema(this.declaration(name), where);
    }
    throw new CrdGenerationError(`${where}: unsupported type ${text}`);
  }
}

function enumSchema(nodes: TypeNode[], where: string): JSONSchemaProps {
  const values = nodes.map((n) => {
    const literal = Node.isLiteralTypeNode(n) ? n.getLiteral() : undefined;
    if (!literal || !Node.isStringLiteral(literal)) {
      throw new CrdGenerationError(`${where}: unions must be of string literals, found ${n.getText()}`);
    }
    return literal.getLiteralValue();
  });
  return { type: 'string', enum: values };
}

const NUMERIC_TAGS = ['minimum', 'maximum', 'minLength', 'maxLength', 'minItems', 'maxItems'] as const;

/** Adds the description and the schema tags of a declaration's doc comment. */
function withDocs(schema: JSONSchemaProps, decl: Node, where: string): JSONSchemaProps {
  if (!Node.isJSDocable(decl)) return schema;
  const out: JSONSchemaProps = { ...schema };
  const description = decl
    .getJsDocs()
    .map((d) => d.getDescription().trim())
    .filter(Boolean)
    .join('\n');
  if (description) out.description = description.replace(/\s*\n\s*/g, ' ');
  const tags = readTags(decl, where);
  for (const key of NUMERIC_TAGS) {
    const value = tags[key];
    if (value === undefined) continue;
    const n = Number(value);
    if (!Number.isFinite(n)) throw new CrdGenerationError(`${where}: @${key} must be a number, got ${value}`);
    out[key] = n;
  }
  if (tags.pattern !== undefined) out.pattern = tags.pattern;
  if (tags.default !== undefined) {
    try {
      out.default = JSON.parse(tags.default);
    } catch {
      throw new CrdGenerationError(`${where}: @default must be JSON, got ${tags.default}`);
    }
  }
  if (tags.listMapKeys !== undefined) {
    out['x-kubernetes-list-type'] = 'map';
    out['x-kubernetes-list-map-keys'] = tags.listMapKeys.split(/[\s,]+/).filter(Boolean);
  }
  return out;
}

/** Schema tags, plus documentation tags the generator reads past. A misspelt tag is an error. */
const KNOWN_TAGS = new Set(['default', 'pattern', 'listMapKeys', 'preserveUnknownFields', ...NUMERIC_TAGS, 'see', 'example', 'deprecated']);

function readTags(decl: Node, where: string): Record<string, string> {
  const tags: Record<string, string> = {};
  if (!Node.isJSDocable(decl)) return tags;
  for (const doc of decl.getJsDocs()) {
    for (const tag of doc.getTags()) {
      const name = tag.getTagName();
      if (!KNOWN_TAGS.has(name)) throw new CrdGenerationError(`${where}: unknown doc tag @${name} (${decl.getSourceFile().getBaseName()}:${tag.getStartLineNumber()}); known: ${[...KNOWN_TAGS].map((t) => `@${t}`).join(', ')}`);
      tags[name] = (tag.getCommentText() ?? '').trim();
    }
  }
  return tags;
}
