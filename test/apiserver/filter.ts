/** The object filter of a list or watch: namespace scope plus label and field selectors. */
import { type FieldRequirement, matchFields, parseFieldSelector } from './field-selector.ts';
import { type LabelRequirement, matchLabels, parseLabelSelector } from './label-selector.ts';
import type { ResourceDef } from './resources.ts';

/** A compiled filter. */
export interface Filter {
  /** True when a label or field selector was given (the real server then omits remainingItemCount). */
  readonly hasSelectors: boolean;
  /** The key prefix of the namespace scope, '' for all. */
  readonly prefix: string;
  match(obj: any): boolean;
}

/** Compiles the selectors of a request. Throws SelectorError (a 400). */
export function makeFilter(def: ResourceDef, namespace: string | undefined, labelSelector: string, fieldSelector: string): Filter {
  const labels: LabelRequirement[] = parseLabelSelector(labelSelector);
  const fields: FieldRequirement[] = parseFieldSelector(fieldSelector, def.fields);
  const prefix = def.namespaced && namespace !== undefined ? `${namespace}/` : '';
  return {
    hasSelectors: labels.length > 0 || fields.length > 0,
    prefix,
    match(obj: any): boolean {
      if (namespace !== undefined && def.namespaced && obj.metadata?.namespace !== namespace) return false;
      return matchLabels(labels, obj.metadata?.labels) && matchFields(fields, def.fields, obj);
    },
  };
}
