/** Realistic log records: about 500 bytes as pino writes them, a context of about eight keys. */
export function record (i: number): Record<string, unknown> {
  return {
    request_id: `7f3c${(i % 5000).toString(16).padStart(4, '0')}-1b2a-4c5d-9e8f-${(i * 7919 % 1e12).toString(16).padStart(12, '0')}`,
    user_id: `user-${i % 997}`,
    path: `/api/v1/orders/${i % 2000}/items`,
    method: i % 5 === 0 ? 'POST' : 'GET',
    status_code: i % 50 === 0 ? 500 : 200,
    duration_ms: (i % 300) + 0.25,
    ip_address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    order_id: i % 2000,
    tenant: `tenant-${i % 17}`,
    cart: { items: i % 9, total_cents: (i * 37) % 100_000, currency: 'EUR' },
    feature_flags: ['checkout-v2', i % 2 ? 'new-search' : 'old-search'],
    region: ['eu-west-1', 'us-east-1', 'ap-south-1'][i % 3],
    attempt: i % 3,
    cache: i % 4 === 0 ? 'miss' : 'hit'
  }
}

export const MESSAGE = 'order item lookup finished for the storefront checkout flow'
