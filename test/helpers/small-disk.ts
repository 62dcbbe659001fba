import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'

export interface SmallDisk {
  /** Where it is mounted. */
  readonly path: string
  /** Takes every free byte, as a disk that filled up. */
  fill(): void
  /** Gives back what `fill` took. */
  free(): void
  /** Mounts it again read-only, as a file system that failed and was remounted so. */
  readOnly(): void
}

const mount = (...args: string[]) => execFileSync('mount', args, { stdio: 'ignore' })

/** Whether this process may mount a file system of its own: as root, with the capability to. */
function mayMount(): boolean {
  const path = mkdtempSync(join(tmpdir(), 'stockpoll-mount-probe-'))
  try {
    mount('-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', path)
    execFileSync('umount', [path])
    return true
  } catch {
    return false
  } finally {
    rmSync(path, { recursive: true, force: true })
  }
}

/**
 * Whether the tests of a real full or read-only disk run: where this process may mount one (as root, as in
 * CI). Elsewhere they are skipped with one line.
 */
export const runSmallDiskTests = mayMount()

if (!runSmallDiskTests) console.warn('small-disk tests skipped: this process may not mount a tmpfs (run as root)')

/**
 * Real file systems of a few hundred KiB (tmpfs), mounted for the current test and unmounted after it, for
 * tests of a disk that fills up or turns read-only.
 */
export function useSmallDisks(): (sizeKiB: number) => SmallDisk {
  const mounted: string[] = []
  afterEach(() => {
    for (const path of mounted.splice(0)) {
      execFileSync('umount', ['--lazy', path])
      rmSync(path, { recursive: true, force: true })
    }
  })
  return (sizeKiB) => {
    const path = mkdtempSync(join(tmpdir(), 'stockpoll-disk-'))
    mount('-t', 'tmpfs', '-o', `size=${sizeKiB}k`, 'tmpfs', path)
    mounted.push(path)
    const junk = join(path, 'junk')
    return {
      path,
      fill() {
        const { bavail, bsize } = statfsSync(path)
        writeFileSync(junk, Buffer.alloc(Number(bavail) * Number(bsize)))
      },
      free: () => rmSync(junk, { force: true }),
      readOnly: () => mount('-o', 'remount,ro', path),
    }
  }
}
