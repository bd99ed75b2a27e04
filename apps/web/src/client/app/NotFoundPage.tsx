import { Link } from 'react-router';

export default function NotFoundPage() {
  return (
    <div className="page empty-state">
      <h1>Page not found</h1>
      <p>The page you were looking for has moved or never existed.</p>
      <Link to="/" className="button">Back to the shop</Link>
    </div>
  );
}
