import { describe, expect, it } from 'vitest'
import { parseJson } from '../../src/edge/input.js'

describe('parseJson', () => {
  it.each([
    ['{"a":1,"a":2}', 'a'],
    ['{"a":{"b":1,"b":2}}', 'b'],
    ['[{"k":1},{"k":2,"k":3}]', 'k'],
    ['{"s":"a \\"quoted\\" {brace: x}","s":1}', 's'],
    ['{"\\u0061":1,"a":2}', 'a'],
  ])('refuses %s, naming the repeated key', (text, key) => {
    expect(() => parseJson(text, 'the body')).toThrow(`the body names ${JSON.stringify(key)} more than once`)
  })

  it.each([['{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}'], ['{"a":"{\\"a\\":1}","b":"a:b"}'], ['["a","a"]'], ['"a"']])(
    'takes %s, where no object names a key twice',
    (text) => {
      expect(parseJson(text, 'the body')).toEqual(JSON.parse(text))
    },
  )

  it('refuses text that is not JSON', () => {
    expect(() => parseJson('{"a":', 'the frame')).toThrow('the frame is not valid JSON')
  })
})
