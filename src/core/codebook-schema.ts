import { z } from 'zod';

// The one description of a codebook's shape. The validator uses it and codebooks/codebook.schema.json
// is generated from it (npm run schema), so editors and qcode can never disagree about the format.

const localId = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, 'an id is lower-case Latin letters a-z, digits and _, and starts with a letter')
  .describe('Stable key: lower-case Latin letters a-z, digits and _, starting with a letter. Never reuse one for another meaning.');

const languageCode = z.string().regex(/^[a-z]{2,3}$/, 'a language is a code of 2 or 3 lower-case Latin letters, such as en or ru');

const labels = z
  .record(languageCode, z.string())
  .describe('Labels in the other languages of the codebook, e.g. {ru: Протест}.');

const color = z
  .string()
  .regex(/^#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$/, 'a colour is #rgb or #rrggbb')
  .describe('Colour as #rgb or #rrggbb.');

const text = z.string();

export interface CodeInput {
  id: string;
  label: string;
  labels?: Record<string, string> | undefined;
  definition?: string | undefined;
  include?: string | undefined;
  exclude?: string | undefined;
  examples?: string[] | undefined;
  color?: string | undefined;
  was?: string | string[] | undefined;
  codes?: CodeInput[] | undefined;
}

export const codeSchema: z.ZodType<CodeInput> = z
  .object({
    id: localId,
    label: text.describe('Label in the first language of the codebook.'),
    labels: labels.optional(),
    definition: text.optional().describe('What the code means.'),
    include: text.optional().describe('When to apply it.'),
    exclude: text.optional().describe('When not to apply it, and what to use instead.'),
    examples: z.array(text).optional().describe('Short example passages.'),
    color: color.optional(),
    was: z
      .union([z.string(), z.array(z.string())])
      .optional()
      .describe('Full id(s) this code had before a rename (e.g. forms.protest_old); applying keeps their codings.'),
    get codes() {
      return z.array(codeSchema).optional().describe('Child codes; their full id extends this one.');
    },
  })
  .strict();

export const dimensionSchema = z
  .object({
    id: localId,
    label: text,
    labels: labels.optional(),
    description: text.optional(),
    exclusive: z.boolean().optional().describe('At most one code of this dimension per unit. Its codes may not have children.'),
    color: color.optional(),
    codes: z.array(codeSchema).min(1, 'a dimension needs at least one code'),
  })
  .strict();

export const attributeSchema = z
  .object({
    type: z.enum(['category', 'number', 'date', 'text']).describe('category, number, date (yyyy-mm-dd) or text.'),
    label: text.optional(),
    labels: labels.optional(),
    description: text.optional(),
    values: z.array(z.union([z.string(), z.number()]).transform(String)).optional().describe('Allowed values of a category.'),
    value_labels: z.record(z.string(), z.string()).optional().describe('Labels of category values, e.g. {DE: Germany}.'),
    min: z.number().optional(),
    max: z.number().optional(),
  })
  .strict();

const axis = z
  .string()
  .describe('A dimension id, a full code id (forms.protest) or attribute:NAME.');

export const hypothesisSchema = z
  .object({
    title: text,
    description: text.optional(),
    rows: z.array(axis).min(1, 'list at least one dimension, code or attribute:NAME'),
    columns: z.array(axis).min(1, 'list at least one dimension, code or attribute:NAME'),
  })
  .strict();

export const codebookSchema = z
  .object({
    codebook: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'the codebook name is lower-case Latin letters a-z, digits and -'),
    version: z.number().int('the version is a whole number').positive('the version is 1 or more').optional(),
    title: text.optional(),
    description: text.optional(),
    languages: z.array(languageCode).min(1, 'list at least one language').optional().describe('First = the language of `label`.'),
    attributes: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'an attribute name is lower-case Latin letters a-z, digits and _, and starts with a letter'), attributeSchema).optional(),
    dimensions: z.array(dimensionSchema).min(1, 'a codebook needs at least one dimension'),
    hypotheses: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'a hypothesis id is Latin letters A-Z and a-z, digits and _, starting with a letter (H1)'), hypothesisSchema).optional(),
  })
  .strict();

export type CodebookInput = z.output<typeof codebookSchema>;

/** The JSON Schema editors use (yaml-language-server). */
export function codebookJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(codebookSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    ...schema,
    $id: 'https://qcode.invalid/codebook.schema.json',
    title: 'qcode codebook',
    description: 'A qcode codebook: dimensions of codes, case attributes and hypotheses. See docs/codebook.md.',
  };
}
