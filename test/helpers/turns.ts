/** Resolves after the current turn of the event loop, once pending immediates have run. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** Follows a result so a test can ask, without awaiting, whether and with what it has resolved. */
export function track<T>(result: T | Promise<T>): { readonly settled: boolean; readonly value: T | undefined } {
  const state: { settled: boolean; value: T | undefined } = { settled: false, value: undefined }
  Promise.resolve(result).then(
    (value) => {
      state.settled = true
      state.value = value
    },
    () => {
      state.settled = true
    },
  )
  return state
}
