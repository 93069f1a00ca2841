// Recipes for C (and C++) projects: build with CMake, make or Meson; test with ctest or make;
// lint with cppcheck and clang-tidy; coverage with gcovr.
//
//   const build = new CBuild(pipeline, { ccache: true });
//   const test = new CTest(pipeline, { build });
//   new CppCheck(pipeline);
//   new ClangTidy(pipeline, { build, needs: [test] });
export { CBuild, compilerEnv, type CBuildProps, type CBuildSystem, type CBuildType, type CCompiler } from './build.ts';
export { CTest, MakeTest, type CTestProps, type MakeTestProps } from './test.ts';
export { CppCheck, ClangTidy, CLANG_TIDY_CHECKS, type CppCheckProps, type ClangTidyProps } from './lint.ts';
export { CCoverage, type CCoverageProps } from './coverage.ts';
export { C_TOOLS } from './shared.ts';
