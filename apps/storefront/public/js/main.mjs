import { FlowView } from './flow-view.mjs';
import { Shop } from './shop.mjs';

new Shop().start();
new FlowView().start();
