import type { Bar } from "../domain/bar.js";

/** A bar's fields, copied so the store may reuse or freeze its objects as it likes. */
export class BarMark {
  time = Number.NEGATIVE_INFINITY;
  open = Number.NaN;
  high = Number.NaN;
  low = Number.NaN;
  close = Number.NaN;
  volume = Number.NaN;

  /** Prices × `price`, volume × `volume` (a split in a raw replay). */
  rescale(price: number, volume: number): void {
    this.open *= price;
    this.high *= price;
    this.low *= price;
    this.close *= price;
    this.volume *= volume;
  }

  set(bar: Bar): void {
    this.time = bar.time;
    this.open = bar.open;
    this.high = bar.high;
    this.low = bar.low;
    this.close = bar.close;
    this.volume = bar.volume;
  }

  copy(other: BarMark): void {
    this.set(other);
  }

  clear(): void {
    this.time = Number.NEGATIVE_INFINITY;
    this.open = this.high = this.low = this.close = this.volume = Number.NaN;
  }

  same(bar: Bar): boolean {
    return (
      bar.time === this.time &&
      bar.close === this.close &&
      bar.open === this.open &&
      bar.high === this.high &&
      bar.low === this.low &&
      bar.volume === this.volume
    );
  }
}
