#!/usr/bin/env node
// The `sessiondata` command. A built package (`npm run build`, or an installed one) runs dist/;
// a fresh checkout without dist/ runs the TypeScript sources through tsx (a dev dependency,
// installed by `npm install`), so `npx sessiondata …` works there too.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const built = new URL("../dist/cli/main.js", import.meta.url);
let entry = built;
if (!existsSync(fileURLToPath(built))) {
  try {
    const { register } = await import("tsx/esm/api");
    register();
  } catch {
    process.stderr.write(
      "sessiondata: dist/ is missing and tsx is not installed: run `npm install` (or `npm run build`)\n",
    );
    process.exit(1);
  }
  entry = new URL("../src/cli/main.ts", import.meta.url);
}
const { main } = await import(entry.href);
main(process.argv).then((code) => {
  process.exitCode = code;
});
