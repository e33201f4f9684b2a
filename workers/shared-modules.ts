/**
 * Modules every workflow execution shares instead of evaluating its own copy (issue 16), relative
 * to the repository root; `bundleWorkflows()` passes them to the SDK's `preloadModules`.
 *
 * The SDK's reusable V8 context gives each workflow execution a module cache of its own, so a module
 * a claim requires is evaluated, and its objects kept, once per cached workflow (the 52 KB holiday
 * table was parsed again for each of them). A module listed here, and every module it imports, is
 * evaluated once when the worker loads the bundle and deep-frozen; every workflow reads that copy.
 *
 * Only modules with no per-workflow state belong here: pure functions, constants, reference tables
 * (a pure memo such as business-days' holiday map is allowed by name in the test); nothing under
 * workflows/ (their modules keep a workflow's own state, e.g. the claim's batching queue) and
 * nothing that builds zod schemas (zod v4 caches lazily inside its schema objects, which freezing
 * would refuse). `workflows/determinism.test.ts` checks this list and what it imports.
 */
export const SHARED_WORKFLOW_MODULES = [
  'domain/business-days.ts',
  'domain/ar.ts',
  'domain/denials.ts',
  'contracts/search-attributes.ts',
  'contracts/activity-policies.ts',
] as const;
