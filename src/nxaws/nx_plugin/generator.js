// Written by `nxaws sync-plugin`; do not edit. Every Nx generator of this plugin runs
// `nxaws g <id> --dry-run --json` in the workspace root and applies the change set nxaws prints
// to Nx's Tree, so `nx g nxaws:<id>` and `nxaws g <id>` make the same files. All behaviour is nxaws's.
'use strict';
const { spawnSync } = require('node:child_process');
const { generators } = require('./generators.json');

// NXAWS_BIN runs an nxaws installed elsewhere (pipx, uv tool); by default the workspace's own, without syncing.
const NXAWS = process.env.NXAWS_BIN ? [process.env.NXAWS_BIN] : ['uv', 'run', '--no-sync', 'nxaws'];
const INSTALL = { npm: ['npm', 'install', '--no-audit', '--no-fund'], uv: ['uv', 'sync'] };

function runNxaws(root, args) {
  const [command, ...head] = NXAWS;
  const proc = spawnSync(command, [...head, ...args], {
    cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300000, maxBuffer: 1 << 30,
  });
  let answer;
  try {
    answer = JSON.parse(proc.stdout);
  } catch {
    const why = proc.error ? proc.error.message : `exit ${proc.status}: ${(proc.stderr || '').trim()}`;
    throw new Error(
      `Could not run nxaws (\`${NXAWS.join(' ')}\`) in ${root} (${why}). ` +
        'Run `uv sync` in the workspace so its .venv has nxaws, then try again.',
    );
  }
  if (answer.error) throw new Error(answer.error.message);
  return answer;
}

function nxawsGenerator(id) {
  return function (tree, options) {
    const flags = Object.entries(options)
      .filter(([, value]) => value !== undefined && value !== null)
      .map(([key, value]) => `--${key}=${value}`);
    const changeSet = runNxaws(tree.root, ['g', id, '--dry-run', '--json', '--no-interactive', ...flags]);
    for (const change of changeSet.changes) {
      if (change.kind === 'delete') tree.delete(change.path);
      else tree.write(change.path, change.encoding === 'base64' ? Buffer.from(change.content, 'base64') : change.content);
    }
    for (const warning of changeSet.warnings) console.warn(`WARNING ${warning}`);
    return () => {
      for (const kind of changeSet.install) {
        const [command, ...args] = INSTALL[kind];
        const proc = spawnSync(command, args, { cwd: tree.root, stdio: 'inherit', timeout: 1800000 });
        if (proc.status !== 0) {
          throw new Error(
            `Installing dependencies (\`${INSTALL[kind].join(' ')}\`) failed. The generated files are in ` +
              `place; fix the problem above and run \`${INSTALL[kind].join(' ')}\` in ${tree.root}.`,
          );
        }
      }
      for (const step of changeSet.nextSteps) console.log(`\n${step}`);
    };
  };
}

for (const [id, entry] of Object.entries(generators)) {
  module.exports[entry.factory.split('#')[1]] = nxawsGenerator(id);
}
