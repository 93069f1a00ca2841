// The GOOS/GOARCH pairs Go can build for, as `go tool dist list` prints them (Go 1.26; the set
// changes rarely: 1.26 dropped windows/arm), and what to suggest for a pair that is not one.
import { closest } from '../../src/api/suggest.ts';

/** Every `GOOS/GOARCH` pair of `go tool dist list`. */
export const GO_PLATFORMS = [
  'aix/ppc64',
  'android/386', 'android/amd64', 'android/arm', 'android/arm64',
  'darwin/amd64', 'darwin/arm64',
  'dragonfly/amd64',
  'freebsd/386', 'freebsd/amd64', 'freebsd/arm', 'freebsd/arm64',
  'illumos/amd64',
  'ios/amd64', 'ios/arm64',
  'js/wasm',
  'linux/386', 'linux/amd64', 'linux/arm', 'linux/arm64', 'linux/loong64', 'linux/mips', 'linux/mips64',
  'linux/mips64le', 'linux/mipsle', 'linux/ppc64', 'linux/ppc64le', 'linux/riscv64', 'linux/s390x',
  'netbsd/386', 'netbsd/amd64', 'netbsd/arm', 'netbsd/arm64',
  'openbsd/386', 'openbsd/amd64', 'openbsd/arm', 'openbsd/arm64', 'openbsd/ppc64', 'openbsd/riscv64',
  'plan9/386', 'plan9/amd64', 'plan9/arm',
  'solaris/amd64',
  'wasip1/wasm',
  'windows/386', 'windows/amd64', 'windows/arm64',
] as const;

/** A `GOOS/GOARCH` pair Go can build for, e.g. `linux/arm64`. */
export type GoPlatform = (typeof GO_PLATFORMS)[number];

const KNOWN = new Set<string>(GO_PLATFORMS);
const GOOS = [...new Set(GO_PLATFORMS.map((p) => p.split('/')[0]!))];

// Names other tools use for the same thing (uname, Docker, Rust, Debian).
const OS_ALIASES: Record<string, string> = { macos: 'darwin', osx: 'darwin', mac: 'darwin', win: 'windows', win32: 'windows', win64: 'windows', wasi: 'wasip1' };
const ARCH_ALIASES: Record<string, string> = {
  x86_64: 'amd64', x64: 'amd64', 'x86-64': 'amd64', aarch64: 'arm64', arm64e: 'arm64', armv8: 'arm64',
  i386: '386', i686: '386', x86: '386', armv7: 'arm', armv7l: 'arm', armv6: 'arm', armhf: 'arm', armel: 'arm',
  ppc64el: 'ppc64le', riscv: 'riscv64', loongarch64: 'loong64', wasm32: 'wasm',
};

/** The GOARCH values Go supports for `goos`. */
export function goArchesFor(goos: string): string[] {
  return GO_PLATFORMS.filter((p) => p.startsWith(`${goos}/`)).map((p) => p.slice(goos.length + 1));
}

/** Why `platform` is not a pair Go can build for, with the closest ones; undefined when it is one. */
export function goPlatformProblem(platform: string): string | undefined {
  if (KNOWN.has(platform)) return undefined;
  const [os = '', arch = '', ...rest] = platform.split('/');
  if (rest.length > 0 || !platform.includes('/')) {
    return `${JSON.stringify(platform)} is not GOOS/GOARCH: write it as \`go tool dist list\` prints it, e.g. "linux/amd64"`;
  }
  const goos = OS_ALIASES[os.toLowerCase()] ?? os.toLowerCase();
  const goarch = ARCH_ALIASES[arch.toLowerCase()] ?? arch.toLowerCase();
  const aliased = `${goos}/${goarch}`;
  const guess = KNOWN.has(aliased) ? aliased : closest(platform, GO_PLATFORMS);
  const arches = goArchesFor(goos);
  const known = arches.length > 0 ? `GOOS ${goos} supports GOARCH ${arches.join(', ')}` : `GOOS is one of ${GOOS.join(', ')}`;
  return `${JSON.stringify(platform)} is not a GOOS/GOARCH pair Go can build for; ${guess ? `did you mean ${JSON.stringify(guess)}? ` : ''}${known} (\`go tool dist list\` lists every pair)`;
}
