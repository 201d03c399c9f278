import { ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError } from '@ferry/contracts';

/** Flattens class-validator errors into "field.sub: constraint" lines. */
function describe(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((c) => `${field}: ${c}`);
    return [...own, ...describe(e.children ?? [], field)];
  });
}

/** Global DTO validation: unknown properties are stripped; failures are VALIDATION_FAILED naming each field. */
export const validationPipe = new ValidationPipe({
  whitelist: true,
  transform: true,
  exceptionFactory: (errors) => {
    const problems = describe(errors);
    return new DomainError('VALIDATION_FAILED', problems.join('; ') || 'invalid request', { problems });
  },
});
