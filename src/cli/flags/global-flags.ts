import { InvalidArgumentError } from 'commander';
import { Name } from '../../api/schemas/common.js';
import { validate } from '../../api/validate.js';

/**
 * `-a/--account-id`: a value that is itself a flag (`run IMG --name -a --subnet s` gives
 * `-a` the value `--subnet`) is a usage error rather than an account id sent to the
 * server. The id's form is the server's to judge (`validation_failed` on `X-Idyl-Account`).
 */
export function parseAccountFlag(value: string): string {
  if (value.startsWith('-')) throw new InvalidArgumentError('an account id is 12 digits, not a flag; give -a a value');
  return value;
}

/**
 * `-n/--namespace` and `--set-namespace`: a namespace is a DNS label. Anything else is a
 * usage error before a request is built: `..` would not even stay a path segment.
 */
export function parseNamespaceFlag(value: string): string {
  const v = validate(Name, value, 'namespace');
  if (!v.ok) throw new InvalidArgumentError(`a namespace is a DNS label: lower-case letters, digits and -, at most 63 characters`);
  return value;
}
