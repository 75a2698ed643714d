// Tests run the TypeScript sources as they are: Node strips the types itself (22.18 and later), with
// positions kept, so coverage maps without source maps and no compiler loads in each test process.
// The sources import each other by the names tsc emits (`./x.js`); this takes the `.ts` file of that
// name where no `.js` is there.
import { existsSync } from 'node:fs'
import { registerHooks } from 'node:module'
import { fileURLToPath } from 'node:url'

registerHooks({
  resolve (specifier, context, nextResolve) {
    if (specifier.endsWith('.js') && specifier.startsWith('.') && context.parentURL?.endsWith('.ts')) {
      const source = new URL(specifier.slice(0, -3) + '.ts', context.parentURL)
      if (!existsSync(new URL(specifier, context.parentURL)) && existsSync(fileURLToPath(source))) return nextResolve(source.href, context)
    }
    return nextResolve(specifier, context)
  }
})
