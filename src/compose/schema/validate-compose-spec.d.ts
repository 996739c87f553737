// Types of the generated standalone validator (validate-compose-spec.js).
import type { ErrorObject } from 'ajv';

export interface ComposeSpecValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}
export declare const validate: ComposeSpecValidator;
export default validate;
