/**
 * Typed reads from raw (JSON/YAML) API objects. A field of the wrong type is an error naming its
 * path (`spec.ports[1].port must be a number`), so a bad manifest says what is wrong; an absent
 * field gives the caller's default, as the API's defaulting would.
 */

/** A raw object that cannot be converted. */
export class ConvertError extends Error {
  override name = 'ConvertError';
}

/** A JSON object read with field paths for error messages. */
export class Raw {
  constructor(
    readonly value: Record<string, unknown>,
    readonly path = '',
  ) {}

  /** Wraps `v` (which must be an object) found at `path`. */
  static of(v: unknown, path = ''): Raw {
    if (!isObject(v)) throw new ConvertError(`${path || 'object'} must be a mapping, got ${typeName(v)}`);
    return new Raw(v, path);
  }

  private at(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  /** A nested object; an empty one when absent. */
  obj(key: string): Raw {
    const v = this.value[key];
    return v == null ? new Raw({}, this.at(key)) : Raw.of(v, this.at(key));
  }

  /** A list of nested objects; [] when absent. */
  objs(key: string): Raw[] {
    return this.list(key).map((v, i) => Raw.of(v, `${this.at(key)}[${i}]`));
  }

  /** A list of strings; [] when absent. */
  strs(key: string): string[] {
    return this.list(key).map((v, i) => {
      if (typeof v !== 'string') throw new ConvertError(`${this.at(key)}[${i}] must be a string, got ${typeName(v)}`);
      return v;
    });
  }

  /** A string (numbers are accepted and printed, as YAML may type `resourceVersion: 12`). */
  str(key: string, dflt = ''): string {
    const v = this.value[key];
    if (v == null) return dflt;
    if (typeof v === 'string') return v;
    if (typeof v === 'number') return String(v);
    throw new ConvertError(`${this.at(key)} must be a string, got ${typeName(v)}`);
  }

  /** A number (numeric strings are not accepted: the API would reject them too). */
  num(key: string, dflt: number): number {
    const v = this.value[key];
    if (v == null) return dflt;
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    throw new ConvertError(`${this.at(key)} must be a number, got ${typeName(v)}`);
  }

  /** A boolean. */
  bool(key: string, dflt: boolean): boolean {
    const v = this.value[key];
    if (v == null) return dflt;
    if (typeof v === 'boolean') return v;
    throw new ConvertError(`${this.at(key)} must be a boolean, got ${typeName(v)}`);
  }

  /** A string-to-string map (labels, annotations); {} when absent. */
  strMap(key: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.obj(key).value)) {
      if (typeof v !== 'string') throw new ConvertError(`${this.at(key)}.${k} must be a string, got ${typeName(v)}`);
      out[k] = v;
    }
    return out;
  }

  /** True when the field is present and not null. */
  has(key: string): boolean {
    return this.value[key] != null;
  }

  private list(key: string): unknown[] {
    const v = this.value[key];
    if (v == null) return [];
    if (!Array.isArray(v)) throw new ConvertError(`${this.at(key)} must be a list, got ${typeName(v)}`);
    return v;
  }
}

/** True for a plain (non-array) object. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'a mapping' : `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`;
}
