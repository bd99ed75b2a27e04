import { useEffect } from 'react';

import { documentTitle } from './page-meta';

/**
 * Sets the tab title while a page is shown (the server rendered the first one; this keeps it
 * right as the visitor moves around). Undefined leaves it alone, e.g. while data loads.
 */
export function usePageTitle(title: string | undefined): void {
  useEffect(() => {
    if (title) document.title = documentTitle(title);
  }, [title]);
}
