// @acme/kayci-recipes: what Acme's teams import next to kayci.
export { GoModTidy, type GoModTidyProps } from './go-mod-tidy.ts';
export { AcmeGoService, type AcmeGoServiceProps } from './acme-go-service.ts';
