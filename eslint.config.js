// @ts-check
import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

/**
 * The layers of src/ and the layers each may import besides itself (docs/architecture.md draws them). The
 * files at the root of src/ are the wiring, which may import anything; of them a layer may import only the
 * ground every layer stands on.
 */
/** @type {Record<string, string[]>} */
const LAYERS = {
  domain: [],
  store: ['domain'],
  push: ['domain'],
  shop: ['store', 'domain'],
  edge: ['shop', 'store', 'push', 'domain'],
  gateway: ['edge', 'push', 'domain'],
  api: ['edge', 'shop', 'store', 'push', 'domain'],
}
/** The files of src/'s root every layer may import; the domain, pure, only the base of the errors. */
const groundOf = (/** @type {string} */ layer) =>
  layer === 'domain' ? ['stockpoll-error'] : ['clock', 'logger', 'metrics', 'stockpoll-error']

/**
 * The rule for one layer's files, at each depth they sit: `../` from `src/<layer>/`, `../../` from a folder in it.
 * @param {[string, string[]]} layerAndAllowed
 */
function layerRules([layer, allowed]) {
  const forbidden = Object.keys(LAYERS).filter((other) => other !== layer && !allowed.includes(other))
  const ground = groundOf(layer)
  return [1, 2].map((depth) => {
    const toSrc = `^(\\.\\./){${depth}}`
    const patterns = [
      {
        regex: `${toSrc}(?!(${ground.join('|')})\\.js$)[^/]+$`,
        message: `${layer}/ may import of src/'s own files only ${ground.join(', ')}: the rest is the wiring`,
      },
    ]
    if (forbidden.length > 0)
      patterns.push({
        regex: `${toSrc}(${forbidden.join('|')})/`,
        message: `${layer}/ may import only ${[...allowed, 'the ground'].join(', ')}: see docs/architecture.md`,
      })
    return {
      files: [`src/${layer}/${'*/'.repeat(depth - 1)}*.ts`],
      rules: { 'no-restricted-imports': ['error', { patterns }] },
    }
  })
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // A store method is async because the interface is, though the memory store answers at once.
      '@typescript-eslint/require-await': 'off',
    },
  },
  ...Object.entries(LAYERS).flatMap(layerRules),
  {
    // A test reads JSON bodies as `any` and checks their shape with the assertion that follows.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      // Hono's app.request() answers Response | Promise<Response>, which Promise.all takes as it is.
      '@typescript-eslint/await-thenable': 'off',
    },
  },
  {
    // The page: plain ES modules in the browser, type-checked through JSDoc; what the server sends is JSON.
    files: ['public/**/*.js', 'examples/**/*.js'],
    languageOptions: { globals: globals.browser },
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
)
