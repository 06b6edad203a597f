import { DeadLettersView } from './dead-letters-view.mjs';
import { FlowView } from './flow-view.mjs';
import { Shop } from './shop.mjs';

const deadLetters = new DeadLettersView();
const flow = new FlowView({ onRecord: (record) => deadLetters.noticed(record) });
new Shop({ onShowFlow: (correlationId) => flow.filterTo(correlationId) }).start();
flow.start();
deadLetters.start();
