import { useLayoutEffect, useRef } from 'preact/hooks';
import type { Fill } from '../api/queries';
import { money, num, time } from '../format';

/** The most recent fills (a long run keeps the table to `limit` rows; the count says how many there are). */
export function FillsTable({ fills, limit = 500 }: { fills: readonly Fill[]; limit?: number }) {
  const shown = fills.length > limit ? fills.slice(fills.length - limit) : fills;
  const first = fills.length - shown.length;
  // The newest fills stay in view while they stream in, unless the reader has scrolled up.
  const box = useRef<HTMLDivElement>(null);
  const following = useRef(true);
  useLayoutEffect(() => {
    const el = box.current;
    if (el && following.current) el.scrollTop = el.scrollHeight;
  }, [fills.length]);
  return (
    <div class="table-box">
      <div class="table-caption">
        <span data-testid="fill-count">{fills.length}</span> fill{fills.length === 1 ? '' : 's'}
        {first > 0 ? ` (showing the last ${shown.length})` : ''}
      </div>
      <div
        class="scroll"
        ref={box}
        onScroll={(e) => {
          const el = e.currentTarget;
          following.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 8;
        }}
      >
        <table class="data" data-testid="fills">
          <thead>
            <tr>
              <th>#</th>
              <th>Time</th>
              <th>Symbol</th>
              <th>Side</th>
              <th class="num">Quantity</th>
              <th class="num">Price</th>
              <th class="num">Commission</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((f, i) => (
              <tr key={f.id} class={f.side === 'BUY' ? 'buy' : 'sell'}>
                <td>{first + i + 1}</td>
                <td>{time(f.time)}</td>
                <td>{f.symbol}</td>
                <td>{f.side}</td>
                <td class="num">{num(f.quantity, 8)}</td>
                <td class="num">{money(f.price)}</td>
                <td class="num">{money(f.commission)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
