/**
 * Reads the interrupt layout a compiled interpreter module carries in its
 * custom section (see ./interrupt-layout.ts). Apart from the layout's types,
 * which the embedding API's types reach, so that those never name
 * `WebAssembly` (a consumer's Node-only type libraries have no such namespace).
 *
 * @module
 */
import { INTERRUPT_SECTION, type InterruptLayout, isInterruptLayout } from './interrupt-layout.js';

/** The layout a compiled interpreter module carries, or undefined when it has none (it cannot be interrupted from another thread). */
export function interruptLayoutOf(module: WebAssembly.Module): InterruptLayout | undefined {
  const sections = WebAssembly.Module.customSections(module, INTERRUPT_SECTION);
  if (sections.length !== 1) return undefined;
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(sections[0]));
    return isInterruptLayout(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
