/** Imports every type file, then builds the schema. */
import { builder } from './builder.js';
import './scalars.js';
import './strategy.js';
import './dataset.js';
import './dataset-admin.js';
import './instrument-bars.js';
import './trading-types.js';
import './run.js';
import './run-updates.js';
import './analytics.js';

export const schema = builder.toSchema({ sortSchema: false });
import './sweep.js';
