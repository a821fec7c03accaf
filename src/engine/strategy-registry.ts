import type { AnyStrategy, StrategyDefinition } from './strategy.js';
import type { ParamSpecs } from './params.js';

/** Strategies by id, in registration order. */
export class StrategyRegistry {
  private readonly byId = new Map<string, AnyStrategy>();

  register<S extends ParamSpecs>(strategy: StrategyDefinition<S>): void {
    if (this.byId.has(strategy.id)) throw new Error(`strategy id ${JSON.stringify(strategy.id)} is already registered`);
    this.byId.set(strategy.id, strategy);
  }

  get(id: string): AnyStrategy | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  list(): AnyStrategy[] {
    return [...this.byId.values()];
  }
}
