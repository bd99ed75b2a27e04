import { checkAddress, type Address, type AddressInput } from '@threadline/domain';

import { AppError } from '../errors.js';

/** Checks an address from a request body; a bad field answers 400 naming `address.<field>`. */
export function requireAddress(input: AddressInput, prefix = 'address'): Address {
  const checked = checkAddress(input);
  if (!checked.ok) throw new AppError('VALIDATION_FAILED', `${checked.field}: ${checked.reason}`, `${prefix}.${checked.field}`);
  return checked.address;
}
