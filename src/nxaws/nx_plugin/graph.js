// Written by `nxaws sync-plugin`; do not edit. Adds to Nx's project graph what it cannot see in a uv workspace:
// - a Python project's workspace dependencies: [project] and [dependency-groups] requirements whose
//   [tool.uv.sources] entry (the project's, over the root's) says `workspace = true`;
// - the connections nxaws records in project.json metadata: agent -> gateway, gateway -> MCP server.
// Where @nxlv/python is registered (TypeScript-plugin workspaces) it already adds the Python edges, as
// `implicit` ones: ours then take the same shape, so Nx keeps one edge per pair and ours fill only its gaps.
'use strict';
const { readFileSync } = require('node:fs');
const { posix } = require('node:path');

const AGENT_GATEWAY = 'py#agent#gateway-connection';
const GATEWAY_MCP = 'agentcore-gateway#mcp-connection';
const NXLV_PYTHON = '@nxlv/python';

const distName = (name) => name.toLowerCase().replace(/[-_.]+/g, '-');

function requirementName(requirement) {
  const match = typeof requirement === 'string' && /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(requirement);
  return match ? distName(match[1]) : undefined;
}

let parseToml;
function tomlParser() {
  if (parseToml === undefined) {
    try {
      parseToml = require('smol-toml').parse;
    } catch {
      console.warn('nxaws: smol-toml is not installed, so Python dependencies are not in the graph: run `npm install`');
      parseToml = null;
    }
  }
  return parseToml;
}

function readToml(workspaceRoot, file) {
  let text;
  try {
    text = readFileSync(posix.join(workspaceRoot, file), 'utf8');
  } catch {
    return undefined;
  }
  try {
    return tomlParser()?.(text);
  } catch (error) {
    console.warn(`nxaws: ${file} is not valid TOML, so its dependencies are not in the graph (${error.message})`);
    return undefined;
  }
}

function workspaceSources(doc) {
  const sources = doc?.tool?.uv?.sources ?? {};
  return Object.fromEntries(Object.entries(sources).map(([name, source]) => [distName(name), source]));
}

function requirements(doc) {
  const optional = Object.values(doc.project?.['optional-dependencies'] ?? {});
  const groups = Object.values(doc['dependency-groups'] ?? {});
  return [doc.project?.dependencies ?? [], ...optional, ...groups].flat().map(requirementName).filter(Boolean);
}

function pythonEdges(context, shape) {
  const rootSources = workspaceSources(readToml(context.workspaceRoot, 'pyproject.toml'));
  const manifests = [];
  const projectOfDist = new Map();
  for (const [name, project] of Object.entries(context.projects)) {
    const file = posix.join(project.root, 'pyproject.toml');
    const doc = project.root && readToml(context.workspaceRoot, file);
    if (!doc) continue;
    manifests.push({ name, file, doc });
    if (typeof doc.project?.name === 'string') projectOfDist.set(distName(doc.project.name), name);
  }
  const edges = [];
  for (const { name, file, doc } of manifests) {
    const sources = { ...rootSources, ...workspaceSources(doc) };
    for (const dist of new Set(requirements(doc))) {
      const target = projectOfDist.get(dist);
      if (target && target !== name && sources[dist]?.workspace === true) edges.push(shape(name, target, file));
    }
  }
  return edges;
}

function connectionEdges(context) {
  const projects = Object.entries(context.projects);
  const gatewayOfRc = new Map();
  const projectAtRoot = new Map();
  for (const [name, project] of projects) {
    projectAtRoot.set(project.root, name);
    const metadata = project.metadata ?? {};
    if (metadata.generator === 'agentcore-gateway' && metadata.rc) gatewayOfRc.set(metadata.rc, name);
  }
  const edges = [];
  for (const [name, project] of projects) {
    for (const component of project.metadata?.components ?? []) {
      const target =
        component.generator === AGENT_GATEWAY ? gatewayOfRc.get(component.name)
        : component.generator === GATEWAY_MCP ? projectAtRoot.get(component.path)
        : undefined;
      if (target && target !== name) {
        edges.push({ source: name, target, type: 'static', sourceFile: posix.join(project.root, 'project.json') });
      }
    }
  }
  return edges;
}

function usesNxlvPython(nxJson) {
  return (nxJson?.plugins ?? []).some((entry) => (typeof entry === 'string' ? entry : entry?.plugin) === NXLV_PYTHON);
}

const createDependencies = (_options, context) => {
  const shape = usesNxlvPython(context.nxJsonConfiguration)
    ? (source, target) => ({ source, target, type: 'implicit' })
    : (source, target, sourceFile) => ({ source, target, type: 'static', sourceFile });
  const seen = new Set();
  return [...pythonEdges(context, shape), ...connectionEdges(context)].filter((edge) => {
    const key = `${edge.source}\0${edge.target}\0${edge.type}`;
    return !seen.has(key) && seen.add(key);
  });
};

module.exports = { name: 'nxaws', createDependencies };
