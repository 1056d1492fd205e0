// check-powershell.mjs parses PowerShell files with the tree-sitter
// PowerShell grammar and reports syntax errors with file, line and column.
// No PowerShell runtime is needed, so CI on Linux can check every script
// exoready ships or prints.
//
//   npm --prefix scripts install --ignore-scripts --no-audit --no-fund
//   node scripts/check-powershell.mjs FILE.ps1...
//
// Exit status: 0 when every file parses, 1 on a syntax error, 2 on misuse.
import { Parser, Language } from 'web-tree-sitter';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node scripts/check-powershell.mjs FILE.ps1...');
  process.exit(2);
}
const here = path.dirname(fileURLToPath(import.meta.url));
await Parser.init();
const language = await Language.load(
  path.join(here, 'node_modules', 'tree-sitter-powershell', 'tree-sitter-powershell.wasm'));
const parser = new Parser();
parser.setLanguage(language);

// problems lists the error and missing nodes below node, outermost first.
function problems(node, out) {
  if (out.length >= 5) return out;
  if (node.isError || node.isMissing) {
    out.push(node);
    return out;
  }
  if (!node.hasError) return out;
  for (const child of node.children) {
    if (child) problems(child, out);
  }
  return out;
}

let failed = 0;
for (const file of files) {
  const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  const tree = parser.parse(text);
  if (!tree.rootNode.hasError) {
    console.log(`ok ${file}`);
    continue;
  }
  failed++;
  const found = problems(tree.rootNode, []);
  if (found.length === 0) found.push(tree.rootNode);
  for (const n of found) {
    const where = `${file}:${n.startPosition.row + 1}:${n.startPosition.column + 1}`;
    const near = n.text.split('\n')[0].slice(0, 60);
    console.log(n.isMissing ? `${where}: missing ${n.type}` : `${where}: syntax error near ${JSON.stringify(near)}`);
  }
}
process.exit(failed ? 1 : 0);
