import { DeadLettersView } from './dead-letters-view.mjs';
import { FlowView } from './flow-view.mjs';
import { Shop } from './shop.mjs';
import { TraceView } from './trace-view.mjs';

const deadLetters = new DeadLettersView();
const flow = new FlowView({ onRecord: (record) => deadLetters.noticed(record) });
const traces = new TraceView();
new Shop({
  onShowFlow: (correlationId) => flow.filterTo(correlationId),
  onShowTrace: (correlationId) => traces.show(correlationId),
}).start();
traces.start();
flow.start();
deadLetters.start();
