import { z } from 'zod'
import { MAX_ON_HAND } from '../domain/product.js'
import { productName, wholeNumber, type FieldSource } from './input.js'

/**
 * The fields of an admin's body, and no others: a field the API does not know is refused by name, rather than
 * taken for a change it does not make.
 */
export const adminFields = <Shape extends z.ZodRawShape>(shape: Shape, expects: string) =>
  z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown field ${issue.keys.join(', ')}: the body has ${expects}`
        : `the body must be an object with ${expects}`,
  })

export const expectedField = (source: FieldSource) =>
  wholeNumber('expected', 0, MAX_ON_HAND, source)
    .optional()
    .meta({ description: 'Act only if onHand still is this: what you last read (409 conflict if not)' })

/** What a product is set to: its name and `onHand`, maybe only as expected. */
export const productShape = (source: FieldSource) => ({
  name: productName.meta({ examples: ['The Limited Edition'] }),
  onHand: wholeNumber('onHand', 0, MAX_ON_HAND, source).meta({ examples: [10] }),
  expected: expectedField(source),
})
