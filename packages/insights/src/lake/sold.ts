/** Statuses whose goods were sold (cancelled and refunded lines are not sales): a condition on `sales`. */
export const SOLD = `status NOT IN ('cancelled', 'refunded')`;
