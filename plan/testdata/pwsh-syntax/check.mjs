// Parses each PowerShell file named on the command line with the
// tree-sitter PowerShell grammar and prints "<file>: ok" or the first
// syntax error with its line and column. Exits 1 when any file fails.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { Parser, Language } from 'web-tree-sitter';

const here = dirname(fileURLToPath(import.meta.url));
await Parser.init();
const grammar = await Language.load(join(here, 'node_modules/tree-sitter-powershell/tree-sitter-powershell.wasm'));
const parser = new Parser();
parser.setLanguage(grammar);

function firstError(node) {
  if (node.type === 'ERROR' || node.isMissing) return node;
  for (const child of node.children) {
    if (child.hasError || child.isMissing) {
      const found = firstError(child);
      if (found) return found;
    }
  }
  return null;
}

let failed = 0;
for (const file of process.argv.slice(2)) {
  let source = readFileSync(file, 'utf8');
  if (source.charCodeAt(0) === 0xfeff) source = source.slice(1);
  const tree = parser.parse(source);
  if (!tree.rootNode.hasError) {
    console.log(`${file}: ok`);
    continue;
  }
  failed++;
  const e = firstError(tree.rootNode);
  const where = e ? `${e.startPosition.row + 1}:${e.startPosition.column + 1}` : '?';
  const what = e && e.isMissing ? `missing ${e.type}` : `unexpected ${JSON.stringify((e ? e.text : '').slice(0, 80))}`;
  console.log(`${file}: syntax error at ${where}: ${what}`);
}
process.exit(failed ? 1 : 0);
