// CBuild: what each build system renders to (defaults and overrides), the typed results, and the
// props it rejects at construction. Meson is checked by rendering and by running its script
// against a stand-in `meson` that records its arguments (meson itself is not installed here).
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Cache, Duration, Job, PropError } from '../../../constructs/index.ts';
import { IMAGES } from '../../../recipes/images.ts';
import { CBuild, C_TOOLS, type CBuildProps } from '../../../recipes/c/index.ts';
import { scratchDir } from '../../helpers/project.ts';
import { checkSyntax, jobOf, pipeline, shellScript, specOf } from './render.ts';

describe('CBuild with CMake (the default)', () => {
  it('configures, builds and reports its build directory, with gcc and Release by default', () => {
    const p = pipeline();
    const build = new CBuild(p);
    expect(build.node.id).toBe('build');
    expect(build.name).toBe('build');
    expect([build.buildSystem, build.compiler, build.buildType, build.sourceDir, build.buildDir, build.prefix, build.coverage, build.ccache, build.makeVariables]).toEqual(['cmake', 'gcc', 'Release', '.', 'build', undefined, false, undefined, []]);
    const j = jobOf(p, 'build');
    expect(j.image).toBe(IMAGES.cToolchain);
    expect(j.lines).toEqual([
      'cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCMAKE_EXPORT_COMPILE_COMMANDS=ON',
      'cmake --build build --parallel "$$(nproc)"',
      'echo buildDir=build >> "$KAYCI_RESULTS_FILE"',
    ]);
    expect(j.env).toEqual({ CC: 'gcc', CXX: 'g++' });
    expect(j.tools).toEqual({ cmake: C_TOOLS.cmake, gcc: C_TOOLS.gcc });
    expect(j.job.results).toEqual([{ name: 'buildDir' }, { name: 'prefix' }]);
    expect([j.job.needs, j.job.when, j.job.retries, j.job.timeoutSeconds]).toEqual([undefined, undefined, undefined, undefined]);
    expect(j.job.template.template!.spec!.volumes).toBeUndefined();
    // What the shell gets: `$$(nproc)` is a command substitution once Kubernetes expanded it.
    expect(shellScript(j.script)).toContain('cmake --build build --parallel "$(nproc)"');
  });

  it('takes the compiler, build type, directories, arguments, targets, parallelism and install prefix', () => {
    const p = pipeline();
    const build = new CBuild(p, 'compile', {
      compiler: 'clang',
      buildType: 'RelWithDebInfo',
      sourceDir: 'lib/semver',
      buildDir: 'out/rel/',
      cmakeArgs: ['-DSEMVER_BUILD_TESTS=ON', '-DNAME=two words'],
      targets: ['semver', 'test_parse'],
      parallel: 4,
      install: true,
      prefix: 'stage',
    });
    expect([build.node.id, build.buildDir, build.prefix]).toEqual(['compile', 'out/rel', 'stage']);
    const j = jobOf(p, 'compile');
    expect(j.lines).toEqual([
      "cmake -S lib/semver -B out/rel -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DSEMVER_BUILD_TESTS=ON '-DNAME=two words'",
      'cmake --build out/rel --parallel 4 --target semver test_parse',
      'cmake --install out/rel --prefix stage',
      'echo buildDir=out/rel >> "$KAYCI_RESULTS_FILE"',
      'echo prefix=stage >> "$KAYCI_RESULTS_FILE"',
    ]);
    expect(j.env).toEqual({ CC: 'clang', CXX: 'clang++' });
    expect(j.tools).toEqual({ cmake: C_TOOLS.cmake, clang: 'apt-get install -y clang' });
  });

  it('installs to dist by default', () => {
    const p = pipeline();
    expect(new CBuild(p, { install: true }).prefix).toBe('dist');
    expect(jobOf(p, 'build').lines.slice(2)).toEqual(['cmake --install build --prefix dist', 'echo buildDir=build >> "$KAYCI_RESULTS_FILE"', 'echo prefix=dist >> "$KAYCI_RESULTS_FILE"']);
  });

  it('compiles through ccache, whose directory is a cache (a PVC in the cluster)', () => {
    const p = pipeline();
    const build = new CBuild(p, { ccache: true });
    expect(build.ccache).toBeInstanceOf(Cache);
    const j = jobOf(p, 'build');
    expect(j.lines[0]).toBe('cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache');
    expect(j.env).toEqual({ CC: 'gcc', CXX: 'g++', CCACHE_DIR: '/cache/ccache' });
    expect(j.tools).toEqual({ cmake: C_TOOLS.cmake, gcc: C_TOOLS.gcc, ccache: 'apt-get install -y ccache' });
    const pod = j.job.template.template!.spec!;
    expect(pod.volumes).toEqual([{ name: 'cache-ccache', persistentVolumeClaim: { claimName: 'kayci-cache-ccache' } }]);
    expect(pod.containers[0]!.volumeMounts).toEqual([{ name: 'cache-ccache', mountPath: '/cache/ccache' }]);
  });

  it('uses a given Cache for ccache', () => {
    const p = pipeline();
    new CBuild(p, { ccache: new Cache('cc', { claimName: 'shared-ccache', mountPath: '/var/cache/ccache' }) });
    const j = jobOf(p, 'build');
    expect(j.env.CCACHE_DIR).toBe('/var/cache/ccache');
    expect(j.job.template.template!.spec!.volumes).toEqual([{ name: 'cache-cc', persistentVolumeClaim: { claimName: 'shared-ccache' } }]);
  });

  it('ccache: false is no ccache', () => {
    const p = pipeline();
    expect(new CBuild(p, { ccache: false }).ccache).toBeUndefined();
    expect(jobOf(p, 'build').env).toEqual({ CC: 'gcc', CXX: 'g++' });
  });

  it('instruments a coverage build, Debug by default, and resets counters of earlier runs', () => {
    const p = pipeline();
    const build = new CBuild(p, { coverage: true, buildDir: 'build-cov' });
    expect([build.coverage, build.buildType]).toEqual([true, 'Debug']);
    expect(jobOf(p, 'build').lines).toEqual([
      'cmake -S . -B build-cov -DCMAKE_BUILD_TYPE=Debug -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DCMAKE_C_FLAGS=--coverage -DCMAKE_CXX_FLAGS=--coverage -DCMAKE_EXE_LINKER_FLAGS=--coverage -DCMAKE_SHARED_LINKER_FLAGS=--coverage',
      'cmake --build build-cov --parallel "$$(nproc)"',
      "if [ -d build-cov ]; then find build-cov -name '*.gcda' -delete; fi",
      'echo buildDir=build-cov >> "$KAYCI_RESULTS_FILE"',
    ]);
    const p2 = pipeline();
    expect(new CBuild(p2, { coverage: true, buildType: 'Release' }).buildType).toBe('Release');
  });

  it('passes the props every recipe takes to the job; env entries override the recipe\'s', () => {
    const p = pipeline();
    const checkout = new Job(p, 'checkout', { image: 'alpine/git', run: 'true' });
    new CBuild(p, {
      needs: [checkout],
      when: { branches: ['main'] },
      retries: 1,
      timeout: Duration.minutes(20),
      image: 'registry.example/cc@sha256:' + 'a'.repeat(64),
      env: { CC: 'gcc-12', CFLAGS: '-O1' },
      resources: { limits: { cpu: '4' } },
    });
    const j = jobOf(p, 'build');
    expect([j.job.needs, j.job.when, j.job.retries, j.job.timeoutSeconds]).toEqual([['checkout'], { branches: ['main'] }, 1, 1200]);
    expect(j.image).toBe('registry.example/cc@sha256:' + 'a'.repeat(64));
    expect(j.env).toEqual({ CC: 'gcc-12', CXX: 'g++', CFLAGS: '-O1' });
    expect(j.job.template.template!.spec!.containers[0]!.resources).toEqual({ limits: { cpu: '4' } });
  });

  it('has typed results: using one in another job reads its variable and needs the build', () => {
    const p = pipeline();
    const build = new CBuild(p, { install: true });
    expect(String(build.results.buildDir)).toBe('$(KAYCI_RESULT_BUILD_BUILDDIR)');
    // @ts-expect-error CBuild declares buildDir and prefix only
    expect(build.results.nope).toBeUndefined();
    new Job(p, 'package', { image: 'alpine', run: `tar -C ${build.results.prefix} -czf semver.tgz .` });
    expect(specOf(p).jobs.find((j) => j.name === 'package')!.needs).toEqual(['build']);
  });
});

describe('CBuild with make', () => {
  it('runs make in the source directory, with the compiler in CC', () => {
    const p = pipeline();
    const build = new CBuild(p, { buildSystem: 'make' });
    expect([build.buildType, build.buildDir, build.makeVariables]).toEqual([undefined, 'build', []]);
    const j = jobOf(p, 'build');
    expect(j.lines).toEqual(['make -j "$$(nproc)"', 'echo buildDir=build >> "$KAYCI_RESULTS_FILE"']);
    expect(j.env).toEqual({ CC: 'gcc', CXX: 'g++' });
    expect(j.tools).toEqual({ make: C_TOOLS.make, gcc: C_TOOLS.gcc });
  });

  it('passes coverage flags, then makeArgs, then targets', () => {
    const p = pipeline();
    const build = new CBuild(p, { buildSystem: 'make', compiler: 'clang', sourceDir: 'c', buildDir: 'c/out', coverage: true, makeArgs: ['BUILD_DIR=out', '-k', 'CFLAGS=-O0 -g --coverage'], targets: ['all'], parallel: 2 });
    // What MakeTest passes on: the variables, not make's options.
    expect(build.makeVariables).toEqual(['CFLAGS=--coverage', 'LDFLAGS=--coverage', 'BUILD_DIR=out', 'CFLAGS=-O0 -g --coverage']);
    const j = jobOf(p, 'build');
    expect(j.lines).toEqual([
      "make -C c -j 2 CFLAGS=--coverage LDFLAGS=--coverage BUILD_DIR=out -k 'CFLAGS=-O0 -g --coverage' all",
      "if [ -d c/out ]; then find c/out -name '*.gcda' -delete; fi",
      'echo buildDir=c/out >> "$KAYCI_RESULTS_FILE"',
    ]);
    expect(j.tools).toEqual({ make: C_TOOLS.make, clang: C_TOOLS.clang });
  });
});

describe('CBuild with Meson (rendered only: meson is not installed here)', () => {
  it('sets up (or reconfigures), compiles and installs with an absolute prefix', () => {
    const p = pipeline();
    const build = new CBuild(p, { buildSystem: 'meson', buildType: 'RelWithDebInfo', install: true, coverage: true, mesonArgs: ['-Dtests=true'], targets: ['semver'], parallel: 3 });
    expect(build.buildType).toBe('RelWithDebInfo');
    const j = jobOf(p, 'build');
    expect(j.lines).toEqual([
      'if [ -d build/meson-private ]; then set -- --reconfigure; else set --; fi',
      'meson setup "$@" --buildtype=debugoptimized -Db_coverage=true --prefix="$PWD"/dist -Dtests=true build .',
      'meson compile -C build -j 3 semver',
      "if [ -d build ]; then find build -name '*.gcda' -delete; fi",
      'meson install -C build',
      'echo buildDir=build >> "$KAYCI_RESULTS_FILE"',
      'echo prefix=dist >> "$KAYCI_RESULTS_FILE"',
    ]);
    expect(j.tools).toEqual({ meson: C_TOOLS.meson, gcc: C_TOOLS.gcc, ninja: C_TOOLS.ninja });
  });

  it('maps every CMake build type to Meson\'s, and leaves ccache to Meson', () => {
    const types = { Debug: 'debug', Release: 'release', RelWithDebInfo: 'debugoptimized', MinSizeRel: 'minsize' } as const;
    for (const [buildType, meson] of Object.entries(types)) {
      const p = pipeline();
      new CBuild(p, { buildSystem: 'meson', buildType: buildType as keyof typeof types, ccache: true });
      const j = jobOf(p, 'build');
      expect(j.lines[1]).toBe(`meson setup "$@" --buildtype=${meson} build .`);
      expect(j.env.CCACHE_DIR).toBe('/cache/ccache');
      expect(Object.keys(j.tools)).toEqual(['meson', 'gcc', 'ninja', 'ccache']);
    }
  });

  it('its script sets up a fresh directory, reconfigures an existing one, and writes the results', () => {
    const p = pipeline();
    new CBuild(p, { buildSystem: 'meson', install: true });
    const script = shellScript(jobOf(p, 'build').script);
    const dir = scratchDir('kayci-meson-');
    const bin = path.join(dir, 'bin');
    mkdirSync(bin);
    // A stand-in meson: records its arguments; `setup` makes the directory as meson would.
    writeFileSync(path.join(bin, 'meson'), '#!/bin/sh\necho "meson $*" >> "$MESON_LOG"\n[ "$1" != setup ] || mkdir -p build/meson-private\n');
    chmodSync(path.join(bin, 'meson'), 0o755);
    const run = () => {
      const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, MESON_LOG: path.join(dir, 'meson.log'), KAYCI_RESULTS_FILE: path.join(dir, 'results') };
      execFileSync('sh', ['-ec', script], { cwd: dir, env, stdio: 'pipe' });
    };
    run();
    run();
    expect(readFileSync(path.join(dir, 'meson.log'), 'utf8').split('\n')).toEqual([
      `meson setup --buildtype=release --prefix=${dir}/dist build .`,
      'meson compile -C build -j ' + execFileSync('nproc', { encoding: 'utf8' }).trim(),
      'meson install -C build',
      `meson setup --reconfigure --buildtype=release --prefix=${dir}/dist build .`,
      'meson compile -C build -j ' + execFileSync('nproc', { encoding: 'utf8' }).trim(),
      'meson install -C build',
      '',
    ]);
    expect(readFileSync(path.join(dir, 'results'), 'utf8')).toBe('buildDir=build\nprefix=dist\nbuildDir=build\nprefix=dist\n');
  });
});

describe('CBuild scripts', () => {
  it('parse as shell scripts, whatever the props', () => {
    const variants: CBuildProps[] = [
      {},
      { install: true, ccache: true, coverage: true, cmakeArgs: ["-DX=it's"], targets: ['a b'] },
      { buildSystem: 'make', coverage: true, makeArgs: ['V=1'], sourceDir: 'dir with space' },
      { buildSystem: 'meson', install: true, coverage: true, prefix: '/opt/semver', buildDir: 'out dir' },
    ];
    for (const props of variants) {
      const p = pipeline();
      new CBuild(p, props);
      expect(() => checkSyntax(jobOf(p, 'build').script)).not.toThrow();
    }
  });
});

describe('CBuild props that can never be right', () => {
  const cases: [string, CBuildProps, RegExp][] = [
    ['an unknown build system', { buildSystem: 'bazel' as never }, /^\[c\/build\] buildSystem: must be "cmake", "make" or "meson", got "bazel"$/],
    ['an unknown compiler', { compiler: 'msvc' as never }, /^\[c\/build\] compiler: must be "gcc" or "clang", got "msvc"$/],
    ['an unknown build type', { buildType: 'Fast' as never }, /^\[c\/build\] buildType: must be "Debug", "Release", "RelWithDebInfo" or "MinSizeRel", got "Fast"$/],
    ['ccache with make', { buildSystem: 'make', ccache: true }, /^\[c\/build\] ccache: is for cmake and meson builds: with make, .*CC=ccache gcc/],
    ['install with make', { buildSystem: 'make', install: true }, /^\[c\/build\] install: make has no common install convention/],
    ['a build type with make', { buildSystem: 'make', buildType: 'Debug' }, /^\[c\/build\] buildType: make has no build types/],
    ['cmakeArgs for make', { buildSystem: 'make', cmakeArgs: ['-DX=1'] }, /^\[c\/build\] cmakeArgs: is for cmake builds; this build uses make$/],
    ['makeArgs for cmake', { makeArgs: ['V=1'] }, /^\[c\/build\] makeArgs: is for make builds; this build uses cmake$/],
    ['mesonArgs for cmake', { mesonArgs: ['-Dx=1'] }, /^\[c\/build\] mesonArgs: is for meson builds; this build uses cmake$/],
    ['a prefix without install', { prefix: 'out' }, /^\[c\/build\] prefix: has no effect without install: true$/],
    ['no parallelism', { parallel: 0 }, /^\[c\/build\] parallel: must be a whole number of at least 1, got 0$/],
    ['fractional parallelism', { parallel: 1.5 }, /^\[c\/build\] parallel: must be a whole number of at least 1, got 1\.5$/],
    ['an empty build directory', { buildDir: '' }, /^\[c\/build\] buildDir: must be a path .* got ""$/],
    ['a source directory over two lines', { sourceDir: 'a\nb' }, /^\[c\/build\] sourceDir: must be a path/],
  ];
  for (const [what, props, message] of cases) {
    it(`rejects ${what}`, () => {
      const p = pipeline();
      let error: unknown;
      try {
        new CBuild(p, props);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(PropError);
      expect((error as PropError).code).toBe('KAYCI_INVALID_PROP');
      expect((error as Error).message).toMatch(message);
      // Nothing was added: the id is free and the pipeline still renders.
      expect(p.jobs).toEqual([]);
      new CBuild(p);
      expect(specOf(p).jobs.map((j) => j.name)).toEqual(['build']);
    });
  }

  it('names the construct path the job would have had', () => {
    const p = pipeline('lib');
    expect(() => new CBuild(p, 'release', { compiler: 'icc' as never })).toThrow(/^\[lib\/release\] compiler: /);
  });
});
