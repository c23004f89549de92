/**
 * The layer rules, enforced by `npm run lint` (dependency-cruiser).
 * docs/ARCHITECTURE.md quotes each rule's comment; keep the two in step.
 *
 * Paths are relative to the repository root, so every pattern is anchored
 * with `^`. Type-only imports count (tsPreCompilationDeps): a domain file that
 * names a port's type still depends on the port.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'domain-imports-only-contracts-and-errors',
      comment:
        'shared/domain is pure logic: it imports only shared/domain, shared/contracts and shared/errors.ts ' +
        '(plus node built-ins and npm packages such as zod). Never ports, config, logging, adapters, ' +
        'services, wiring or forecasting.',
      severity: 'error',
      from: { path: '^shared/domain/' },
      to: {
        pathNot: ['^shared/domain/', '^shared/contracts/', '^shared/errors\\.ts$', '(^|/)node_modules/'],
        dependencyTypesNot: ['core'],
      },
    },
    {
      name: 'services-never-import-adapters',
      comment:
        'shared/services are use cases over the ports: they never import adapters, wiring, config, ' +
        'local-stack, dashboard, runtime, functions, cli or bin. Wiring builds the adapters and maps ' +
        'config to settings, then hands both to the service.',
      severity: 'error',
      from: { path: '^shared/services/' },
      to: {
        path: ['^shared/(adapters|wiring|config|local-stack|dashboard|runtime)/', '^(functions|cli|bin)/'],
      },
    },
    {
      name: 'adapters-never-import-services',
      comment:
        'shared/adapters implement ports and know nothing of the use cases: they never import services, ' +
        'wiring, local-stack, dashboard, functions, cli or bin.',
      severity: 'error',
      from: { path: '^shared/adapters/' },
      to: { path: ['^shared/(services|wiring|local-stack|dashboard)/', '^(functions|cli|bin)/'] },
    },
    {
      name: 'functions-go-through-wiring',
      comment:
        'functions/** get their adapters and settings from shared/wiring: they never import ' +
        'shared/adapters or shared/config directly.',
      severity: 'error',
      from: { path: '^functions/' },
      to: { path: '^shared/(adapters|config)/' },
    },
    {
      name: 'contracts-and-ports-never-import-implementations',
      comment:
        'shared/contracts (schemas) and shared/ports (interfaces) are what the layers agree on: they never ' +
        'import adapters, services or wiring.',
      severity: 'error',
      from: { path: '^shared/(contracts|ports)/' },
      to: { path: '^shared/(adapters|services|wiring)/' },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles anywhere: a module never reaches itself through its imports.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|test|bench)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
