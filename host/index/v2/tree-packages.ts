/** Reading every manifest tree of a set of sources into index v2 packages, with one sandboxed evaluator. */
import { ManifestEvaluator } from '../../pkg/manifest-py/evaluate.js';
import { ManifestTreeReader } from '../../pkg/manifest-py/tree.js';
import { packagesFromTree } from './from-tree.js';
import type { V2Package } from './model.js';

/**
 * The packages of `trees`, in order; a name defined by an earlier tree
 * hides the same name in a later one (reported in `problems`).
 * @throws ManifestError when a manifest cannot be run or names a missing file
 */
export async function readTrees(trees: readonly string[], problems: string[]): Promise<V2Package[]> {
  const evaluator = new ManifestEvaluator();
  const out: V2Package[] = [];
  const seen = new Set<string>();
  try {
    for (const root of trees) {
      const tree = await ManifestTreeReader.read(root, evaluator);
      problems.push(...tree.problems.map((p) => `${root}: ${p}`));
      for (const p of await packagesFromTree(tree)) {
        if (seen.has(p.name)) problems.push(`${root}: package ${p.name} is already defined by an earlier source; skipped`);
        else {
          out.push(p);
          seen.add(p.name);
        }
      }
    }
  } finally {
    await evaluator.close();
  }
  return out;
}
