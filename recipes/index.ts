// Recipes: ready-made jobs for Go and C, the supply chain, and presets that wire them together.
// `import { GoTest, CPipeline, … } from 'kayci/recipes'`.
export { IMAGES, type ImageRole } from './images.ts';
