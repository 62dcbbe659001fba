// The fan-out's figures as an SVG chart: fan-out p99 and the time until every poll is held again, against the
// number of waiters, for both servers, with clients that poll again and with clients that stop.
import type { ClientKind } from './subscribers.js'
import type { BenchResults } from './report.js'
import type { ServerKind } from './server-process.js'

const WIDTH = 460
const HEIGHT = 300
const MARGIN = { left: 56, right: 16, top: 36, bottom: 44 }

interface Series {
  readonly label: string
  readonly color: string
  readonly dashed: boolean
  readonly points: readonly (readonly [number, number])[]
}

const COLORS: Record<ServerKind, string> = { stockpoll: '#2563eb', baseline: '#6b7280' }

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;')

/** A round upper bound for an axis: 1, 2 or 5 times a power of ten. */
function niceCeiling(value: number): number {
  const power = 10 ** Math.floor(Math.log10(Math.max(value, 1)))
  return [1, 2, 5, 10].map((step) => step * power).find((bound) => bound >= value) ?? value
}

/** One panel: a line per series, axes with five ticks, a title, and its legend. */
function panel(title: string, series: readonly Series[], x0: number): string {
  const all = series.flatMap((each) => each.points)
  const maxX = Math.max(...all.map(([x]) => x))
  const maxY = niceCeiling(Math.max(...all.map(([, y]) => y)))
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom
  const px = (x: number) => x0 + MARGIN.left + (x / maxX) * plotWidth
  const py = (y: number) => MARGIN.top + plotHeight - (y / maxY) * plotHeight
  const parts = [`<text x="${x0 + MARGIN.left}" y="20" font-weight="600">${escape(title)}</text>`]
  for (let i = 0; i <= 4; i++) {
    const y = (maxY * i) / 4
    parts.push(
      `<line x1="${px(0)}" x2="${px(maxX)}" y1="${py(y)}" y2="${py(y)}" stroke="#e5e7eb"/>`,
      `<text x="${px(0) - 6}" y="${py(y) + 4}" text-anchor="end">${y.toFixed(0)}</text>`,
    )
  }
  for (const x of [...new Set(all.map(([value]) => value))]) {
    parts.push(`<text x="${px(x)}" y="${py(0) + 16}" text-anchor="middle">${x / 1000}k</text>`)
  }
  parts.push(
    `<text x="${px(maxX / 2)}" y="${HEIGHT - 8}" text-anchor="middle">waiters</text>`,
    `<text x="${x0 + 14}" y="${py(maxY / 2)}" text-anchor="middle" transform="rotate(-90 ${x0 + 14} ${py(maxY / 2)})">ms</text>`,
  )
  series.forEach(({ label, color, dashed, points }, i) => {
    const path = points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ')
    const dash = dashed ? ' stroke-dasharray="5 4"' : ''
    parts.push(`<polyline points="${path}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`)
    const ly = MARGIN.top + 4 + i * 16
    parts.push(
      `<line x1="${px(0) + 8}" x2="${px(0) + 30}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"${dash}/>`,
      `<text x="${px(0) + 36}" y="${ly + 4}">${escape(label)}</text>`,
    )
  })
  return parts.join('\n')
}

/** What each kind of client is called in a legend, and whether its lines are dashed. */
const KINDS: Record<ClientKind, { readonly label: string; readonly dashed: boolean }> = {
  repoll: { label: 'clients that poll again', dashed: false },
  stop: { label: 'clients that stop', dashed: true },
  sse: { label: 'event streams', dashed: false },
  ws: { label: 'WebSockets', dashed: true },
}

export function fanOutChart({ fanOut, machine }: BenchResults): string {
  const seriesOf = (clients: ClientKind, figure: 'p99' | 'heldAgain') =>
    (['stockpoll', 'baseline'] as const).map((kind): Series => ({
      label: `${kind}, ${KINDS[clients].label}`,
      color: COLORS[kind],
      dashed: KINDS[clients].dashed,
      points: fanOut
        .filter((row) => row.clients === clients)
        .map((row) => [row.waiters, figure === 'p99' ? row[kind].fanOutMs.p99 : row[kind].heldAgainMs] as const)
        .filter(([, y]) => Number.isFinite(y)),
    }))
  const panels = (
    [
      ['Long poll: fan-out p99', [...seriesOf('repoll', 'p99'), ...seriesOf('stop', 'p99')]],
      ['Until every poll is held again', seriesOf('repoll', 'heldAgain')],
      ['Streams: fan-out p99', [...seriesOf('sse', 'p99'), ...seriesOf('ws', 'p99')]],
    ] as const
  )
    .map(([title, series]) => [title, series.filter((each) => each.points.length)] as const)
    .filter(([, series]) => series.length > 0)
    .map(([title, series], i) => panel(title, series, i * WIDTH))
  const width = WIDTH * panels.length
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${HEIGHT + 20}" font-family="system-ui, sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...panels,
    `<text x="${width / 2}" y="${HEIGHT + 14}" text-anchor="middle" fill="#6b7280">npm run bench, ${machine.cores} cores, Node ${machine.node}</text>`,
    '</svg>',
    '',
  ].join('\n')
}
