/* global sessionStorage, EventSource, setTimeout, clearTimeout */
import { callApi, problemLines } from './api.mjs';
import { byId, el, formatCents, formatTime } from './dom.mjs';

const USER_KEY = 'stitch.user';
const POLL_MS = 1000;
const FINAL = new Set(['confirmed', 'cancelled']);

/** Sign-up, products, checkout and the customer's orders. */
export class Shop {
  /**
   * `onShowFlow(correlationId)`: show the messages of one checkout in the flow view; `onShowTrace(correlationId)`: its
   * spans as a waterfall.
   */
  constructor({ onShowFlow, onShowTrace } = {}) {
    this.onShowFlow = onShowFlow ?? (() => undefined);
    this.onShowTrace = onShowTrace ?? (() => undefined);
    this.user = JSON.parse(sessionStorage.getItem(USER_KEY) ?? 'null');
    this.products = [];
    this.orders = new Map();
    this.notifications = undefined;
  }

  start() {
    byId('signup-form').addEventListener('submit', (event) => {
      event.preventDefault();
      void this.signUp();
    });
    byId('order-form').addEventListener('submit', (event) => {
      event.preventDefault();
      void this.placeOrder();
    });
    byId('product-rows').addEventListener('input', () => this.updateTotal());
    this.showUser();
    void this.loadProducts();
    void this.loadOrders();
  }

  /** The customer's orders as the storefront lists them, so a reload keeps them; unsettled ones are followed again. */
  async loadOrders() {
    if (!this.user) return;
    const result = await callApi('GET', '/api/orders');
    if (result.status === 401) return this.signOut();
    if (!result.ok) {
      byId('orders-status').textContent = problemLines(result).join(' — ');
      return;
    }
    byId('orders-status').textContent = '';
    // Newest first, below any placed while the list loaded (those go on top).
    for (const order of result.body) this.track(order, order.items, { onTop: false });
  }

  /** Forgets the orders on screen: another customer signed up in this tab. */
  forgetOrders() {
    for (const tracked of this.orders.values()) clearTimeout(tracked.timer);
    this.orders.clear();
    byId('order-list').replaceChildren();
  }

  async signUp() {
    const form = byId('signup-form');
    const name = form.elements.name.value.trim();
    const email = form.elements.email.value.trim();
    const result = await callApi('POST', '/api/users', { name, email });
    this.markInvalid(form, result);
    if (!result.ok) {
      byId('current-user').textContent = problemLines(result).join(' — ');
      return;
    }
    // The answer also set the session cookie (HTTP-only): the browser sends it with every call of this page.
    this.notifications?.close();
    this.notifications = undefined;
    this.forgetOrders();
    this.user = { userId: result.body.userId, name, email };
    sessionStorage.setItem(USER_KEY, JSON.stringify(this.user));
    this.showUser();
  }

  signOut() {
    this.user = null;
    sessionStorage.removeItem(USER_KEY);
    this.notifications?.close();
    this.notifications = undefined;
    this.forgetOrders();
    this.showUser();
  }

  showUser() {
    const line = byId('current-user');
    if (!this.user) {
      line.textContent = 'Sign up to place orders.';
      delete line.dataset.userId;
    } else {
      line.replaceChildren('Signed up as ', el('strong', {}, this.user.name), ` (${this.user.email})`);
      line.dataset.userId = this.user.userId;
      this.listenForNotifications();
    }
    this.updateTotal();
  }

  async loadProducts() {
    const result = await callApi('GET', '/api/products');
    const status = byId('products-status');
    if (!result.ok) {
      status.textContent = problemLines(result).join(' — ');
      return;
    }
    this.products = result.body;
    status.textContent = '';
    byId('product-rows').replaceChildren(
      ...this.products.map((product) =>
        el(
          'tr',
          { 'data-testid': 'product-row', 'data-sku': product.sku },
          el('td', {}, product.name, el('span', { className: 'sku' }, product.sku)),
          el('td', { className: 'num', 'data-testid': 'product-price' }, formatCents(product.priceCents)),
          el('td', { className: 'num', 'data-testid': 'product-available' }, product.available),
          el(
            'td',
            { className: 'num' },
            el('input', {
              id: `qty-${product.sku}`,
              type: 'number',
              min: 0,
              max: 100,
              step: 1,
              value: 0,
              'data-testid': `qty-${product.sku}`,
              'aria-label': `Quantity of ${product.name}`,
            }),
          ),
        ),
      ),
    );
    this.updateTotal();
  }

  chosenItems() {
    return this.products
      .map((product) => ({ product, quantity: Number(byId(`qty-${product.sku}`)?.value ?? 0) }))
      .filter(({ quantity }) => quantity > 0);
  }

  updateTotal() {
    const items = this.chosenItems();
    const total = items.reduce((sum, { product, quantity }) => sum + product.priceCents * quantity, 0);
    byId('order-total').textContent = items.length ? `Total: ${formatCents(total)}` : 'Total: —';
    byId('place-order').disabled = !this.user || items.length === 0;
  }

  async placeOrder() {
    const form = byId('order-form');
    const error = byId('form-error');
    const card = form.elements.card.value.trim();
    const items = this.chosenItems().map(({ product, quantity }) => ({ sku: product.sku, quantity }));
    const body = { userId: this.user.userId, items, ...(card ? { card } : {}) };
    const result = await callApi('POST', '/api/orders', body);
    this.markInvalid(form, result);
    if (result.status === 401) {
      // The session (an HTTP-only cookie the page cannot see) has expired, or the shop was reset: sign up again.
      this.signOut();
      error.replaceChildren(el('p', {}, 'Your session has ended: sign up again to place orders.'));
      return;
    }
    if (!result.ok) {
      error.replaceChildren(
        el('p', {}, problemLines(result)[0]),
        el(
          'ul',
          {},
          problemLines(result)
            .slice(1)
            .map((line) => el('li', {}, line)),
        ),
      );
      return;
    }
    error.replaceChildren();
    // The order is on its way: the form starts afresh, so a second click does not order the same again. The card has
    // done its job too: it is not kept on the page.
    this.resetOrderForm();
    // What the storefront accepted, until GET /api/orders/:id answers: the checkout is this request's.
    this.track(
      {
        orderId: result.body.orderId,
        status: 'pending',
        items: [],
        totalCents: 0,
        correlationId: result.correlationId,
        placedAt: new Date().toISOString(),
      },
      items,
    );
  }

  resetOrderForm() {
    byId('order-form').reset();
    for (const product of this.products) {
      const quantity = byId(`qty-${product.sku}`);
      if (quantity) quantity.value = '0';
    }
    this.updateTotal();
  }

  /**
   * Shows an order (as GET /api/orders/:id answers it, with its checkout and when it was placed) and follows it until
   * the saga settles it: polling, hurried along by notifications.
   */
  track(order, requested, { onTop = true } = {}) {
    if (this.orders.has(order.orderId)) return;
    const item = el('li', { 'data-testid': 'order', 'data-order-id': order.orderId });
    if (onTop) byId('order-list').prepend(item);
    else byId('order-list').append(item);
    const tracked = { order, requested, item, timer: undefined };
    this.orders.set(order.orderId, tracked);
    this.render(tracked);
    if (FINAL.has(order.status)) return;
    this.poll(tracked);
  }

  async poll(tracked) {
    clearTimeout(tracked.timer);
    const result = await callApi('GET', `/api/orders/${tracked.order.orderId}`);
    if (result.status === 401) return this.signOut();
    // No longer known (on its way for too long): asking again would only be refused again.
    if (result.status === 404) return;
    if (result.ok) {
      // The checkout this page saw placed stays, should an order-service that keeps none have the order already.
      tracked.order = { correlationId: tracked.order.correlationId, ...result.body };
      this.render(tracked);
    }
    if (!FINAL.has(tracked.order.status)) tracked.timer = setTimeout(() => this.poll(tracked), POLL_MS);
  }

  render({ order, requested, item }) {
    const { correlationId, placedAt } = order;
    const lines = order.items.length ? order.items : requested;
    item.dataset.status = order.status;
    if (correlationId) item.dataset.correlationId = correlationId;
    const parts = [
      el(
        'div',
        {},
        el('span', { className: `status status-${order.status}`, 'data-testid': 'order-status' }, order.status),
        ' ',
        order.totalCents ? formatCents(order.totalCents) : '',
        placedAt
          ? el('span', { className: 'muted placed', 'data-testid': 'order-placed', title: placedAt }, ` placed ${formatTime(placedAt)}`)
          : '',
      ),
      order.reason ? el('div', { 'data-testid': 'order-reason' }, `Reason: ${order.reason}`) : undefined,
      lines.length
        ? el('div', { 'data-testid': 'order-lines' }, lines.map((line) => `${line.quantity} × ${line.sku}`).join(', '))
        : undefined,
      el('div', { className: 'order-id' }, 'Order ', order.orderId),
      correlationId
        ? el('div', { className: 'order-id' }, 'Checkout ', el('span', { 'data-testid': 'order-correlation' }, correlationId))
        : undefined,
      correlationId
        ? el(
            'div',
            { className: 'order-actions' },
            el(
              'button',
              {
                type: 'button',
                className: 'link',
                'data-testid': 'order-flow',
                title: `Show only the messages of checkout ${correlationId}`,
              },
              'Show this checkout',
            ),
            el(
              'button',
              { type: 'button', className: 'link', 'data-testid': 'order-trace', title: `The spans of checkout ${correlationId}` },
              'Show its trace',
            ),
          )
        : undefined,
    ];
    item.replaceChildren(...parts.filter(Boolean));
    item.querySelector('[data-testid="order-flow"]')?.addEventListener('click', () => this.onShowFlow(correlationId));
    item.querySelector('[data-testid="order-trace"]')?.addEventListener('click', () => this.onShowTrace(correlationId));
  }

  /**
   * Order updates pushed by notification-service; a hint to ask again now rather than at the next poll. The stream is
   * the signed-up customer's own: the session cookie goes with it (same origin), and the storefront asks for theirs.
   */
  listenForNotifications() {
    if (this.notifications || !this.user) return;
    this.notifications = new EventSource('/api/notifications');
    this.notifications.onmessage = (event) => {
      let data;
      try {
        data = JSON.parse(event.data);
      } catch {
        return;
      }
      const tracked = this.orders.get(data?.orderId ?? data?.data?.orderId);
      if (tracked && !FINAL.has(tracked.order.status)) void this.poll(tracked);
    };
  }

  markInvalid(form, result) {
    const bad = new Set((result.body?.errors ?? []).map((problem) => problem.path.split('.')[0]));
    for (const input of form.querySelectorAll('input[name]')) input.setAttribute('aria-invalid', String(bad.has(input.name)));
  }
}
