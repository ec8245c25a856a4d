import type { LiveFeedEvents } from "./live-feed.js";

/**
 * The typed listener lists of a `LiveFeed`, without `EventEmitter`'s per-emit array copy: a bar
 * goes to each listener with one loop. A listener that throws does not stop the others; its
 * error is passed to the `error` listeners (a throwing `error` listener is swallowed: there is
 * nobody left to tell).
 */
export class FeedEmitter {
  readonly #bar: LiveFeedEvents["bar"][] = [];
  readonly #status: LiveFeedEvents["status"][] = [];
  readonly #error: LiveFeedEvents["error"][] = [];

  #list<E extends keyof LiveFeedEvents>(event: E): LiveFeedEvents[E][] {
    const list = event === "bar" ? this.#bar : event === "status" ? this.#status : this.#error;
    return list as LiveFeedEvents[E][];
  }

  /** Adds a listener. */
  add<E extends keyof LiveFeedEvents>(event: E, listener: LiveFeedEvents[E]): void {
    this.#list(event).push(listener);
  }

  /** Removes a listener (its first registration). */
  remove<E extends keyof LiveFeedEvents>(event: E, listener: LiveFeedEvents[E]): void {
    const list = this.#list(event);
    const at = list.indexOf(listener);
    if (at >= 0) list.splice(at, 1);
  }

  /** Calls every `bar` listener. */
  bar: LiveFeedEvents["bar"] = (symbol, bar, provenance) => {
    const list = this.#bar;
    for (let i = 0; i < list.length; i++) {
      try {
        list[i]!(symbol, bar, provenance);
      } catch (error) {
        this.error(error instanceof Error ? error : new Error(String(error)), false);
      }
    }
  };

  /** Calls every `status` listener. */
  status: LiveFeedEvents["status"] = (status) => {
    for (const listener of this.#status.slice()) {
      try {
        listener(status);
      } catch (error) {
        this.error(error instanceof Error ? error : new Error(String(error)), false);
      }
    }
  };

  /** Calls every `error` listener. */
  error: LiveFeedEvents["error"] = (error, fatal) => {
    for (const listener of this.#error.slice()) {
      try {
        listener(error, fatal);
      } catch {
        // An error listener that throws has nobody to report to.
      }
    }
  };
}
