/** The engine's public surface: pure, synchronous, no I/O. */
export * from './bars.js';
export * from './timeline.js';
export * from './orders.js';
export * from './order-state-machine.js';
export * from './costs.js';
export * from './portfolio.js';
export * from './results.js';
export * from './params.js';
export * from './strategy.js';
export * from './strategy-registry.js';
export * from './engine.js';
export * from './indicators/history.js';
export * from './indicators/indicator.js';
export * from './indicators/factory.js';
export * from './indicators/index.js';
export * from './strategies/index.js';
