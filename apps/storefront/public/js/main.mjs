import { DeadLettersView } from './dead-letters-view.mjs';
import { FlowView } from './flow-view.mjs';
import { Shop } from './shop.mjs';

const deadLetters = new DeadLettersView();
new Shop().start();
new FlowView({ onRecord: (record) => deadLetters.noticed(record) }).start();
deadLetters.start();
