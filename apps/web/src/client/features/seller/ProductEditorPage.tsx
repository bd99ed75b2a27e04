import { useEffect, useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';

import { describeError } from '../../lib/api';
import { NO_ERRORS, toFormErrors, type FormErrors } from '../../lib/form-errors';
import { useCategories } from '../catalog/catalog-api';
import { ImagePicker, type PendingPhoto } from './ImagePicker';
import { createProduct, deleteImage, setPublished, updateProduct, uploadImage, useMyProduct, type SellerProduct } from './seller-api';
import { newRow, readRows, rowsFromVariants, type RowErrors, type VariantRow } from './variant-rows';

export default function ProductEditorPage() {
  const { id } = useParams();
  const isNew = id === undefined;
  const existing = useMyProduct(id);
  if (!isNew && existing.isLoading && !existing.data) return <p className="muted">Loading…</p>;
  if (!isNew && !existing.data) return <p className="alert alert--error" role="alert">{describeError(existing.error)}</p>;
  return <Editor key={existing.data?.id ?? 'new'} product={existing.data} onSaved={existing.reload} />;
}

function Editor({ product, onSaved }: { product: SellerProduct | undefined; onSaved: () => void }) {
  const navigate = useNavigate();
  const categories = useCategories();
  const [name, setName] = useState(product?.name ?? '');
  const [description, setDescription] = useState(product?.description ?? '');
  const [categoryId, setCategoryId] = useState(product ? String(product.category.id) : '');
  const [rows, setRows] = useState<VariantRow[]>(() => (product ? rowsFromVariants(product.variants) : [newRow({ size: 'M' })]));
  const [pending, setPending] = useState<PendingPhoto[]>([]);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [rowErrors, setRowErrors] = useState<RowErrors>({});
  const location = useLocation();
  const arrivedWith: unknown = location.state;
  // the notice of the page that created this product ("Product created as a draft.")
  const [notice, setNotice] = useState<string | undefined>(
    typeof arrivedWith === 'object' && arrivedWith !== null && 'notice' in arrivedWith && typeof arrivedWith.notice === 'string' ? arrivedWith.notice : undefined,
  );
  const [isSaving, setIsSaving] = useState(false);

  useEffect(() => {
    if (!categoryId && categories[0] && !product) setCategoryId(String(categories[0].id));
  }, [categories, categoryId, product]);

  function updateRow(key: string, changes: Partial<VariantRow>) {
    setRows((current) => current.map((row) => (row.key === key ? { ...row, ...changes } : row)));
  }

  async function save(event: FormEvent, publishAfter = false) {
    event.preventDefault();
    setNotice(undefined);
    const fields: Record<string, string> = {};
    if (!name.trim()) fields.name = 'Give the product a name.';
    if (!categoryId) fields.categoryId = 'Choose a category.';
    const table = readRows(rows);
    setRowErrors(table.errors);
    if (table.tableError) fields.variants = table.tableError;
    if (Object.keys(fields).length > 0 || !table.variants) {
      setErrors({ fields, form: 'Please fix the highlighted fields.' });
      return;
    }
    setIsSaving(true);
    try {
      const input = { name: name.trim(), description: description.trim(), categoryId: Number(categoryId), variants: table.variants };
      const saved = product ? await updateProduct(product.id, input) : await createProduct(input);
      for (const photo of pending) await uploadImage(saved.id, photo.file, name.trim(), photo.colour);
      setPending([]);
      if (publishAfter) await setPublished(saved.id, true);
      setErrors(NO_ERRORS);
      if (product) {
        setNotice(publishAfter ? 'Saved and published.' : 'Saved.');
        onSaved();
      } else {
        void navigate(`/seller/products/${saved.id}`, { replace: true, state: { notice: publishAfter ? 'Product created and published.' : 'Product created as a draft.' } });
      }
    } catch (error) {
      setErrors(toFormErrors(error, ['name', 'description', 'categoryId', 'variants', 'image']));
    } finally {
      setIsSaving(false);
    }
  }

  async function removeImage(imageId: number | undefined) {
    if (!product || imageId === undefined) return;
    try {
      await deleteImage(product.id, imageId);
      setNotice('Photo removed.');
      onSaved();
    } catch (error) {
      setErrors(toFormErrors(error, ['image']));
    }
  }

  async function togglePublished() {
    if (!product) return;
    setIsSaving(true);
    try {
      await setPublished(product.id, product.status !== 'published');
      setNotice(product.status === 'published' ? 'Unpublished: the product is hidden from the shop.' : 'Published: the product is live in the shop.');
      onSaved();
    } catch (error) {
      setErrors(toFormErrors(error, []));
    } finally {
      setIsSaving(false);
    }
  }

  const isPublished = product?.status === 'published';
  return (
    <form className="editor" onSubmit={(e) => void save(e)} noValidate>
      <div className="section-head">
        <div>
          <h1>{product ? `Edit “${product.name}”` : 'New product'}</h1>
          {product && <p className="muted">Status: <span className={`status status--${product.status}`}>{product.status}</span>{isPublished && <> · <Link to={`/products/${product.id}`}>View in shop</Link></>}</p>}
        </div>
      </div>
      {errors.form && <p className="alert alert--error" role="alert">{errors.form}</p>}
      {notice && <p className="alert alert--success" role="status">{notice}</p>}

      <div className="editor__grid">
        <section className="card">
          <h2>Details</h2>
          <div className="field">
            <label htmlFor="product-name">Name</label>
            <input id="product-name" maxLength={200} value={name} onChange={(e) => setName(e.target.value)} aria-invalid={errors.fields.name ? true : undefined} aria-describedby={errors.fields.name ? 'product-name-error' : undefined} />
            {errors.fields.name && <p id="product-name-error" className="field-error">{errors.fields.name}</p>}
          </div>
          <div className="field">
            <label htmlFor="product-category">Category</label>
            <select id="product-category" value={categoryId} onChange={(e) => setCategoryId(e.target.value)} aria-invalid={errors.fields.categoryId ? true : undefined}>
              <option value="">Choose…</option>
              {categories.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
            </select>
            {errors.fields.categoryId && <p className="field-error">{errors.fields.categoryId}</p>}
          </div>
          <div className="field">
            <label htmlFor="product-description">Description</label>
            <textarea id="product-description" rows={6} maxLength={10000} value={description} onChange={(e) => setDescription(e.target.value)} />
            <p className="hint">Fabric, fit, care. Leave a blank line between paragraphs.</p>
            {errors.fields.description && <p className="field-error">{errors.fields.description}</p>}
          </div>
        </section>

        <section className="card">
          <h2>Photos</h2>
          <ImagePicker
            existing={product?.images ?? []}
            pending={pending}
            onPending={setPending}
            colours={[...new Set(rows.map((row) => row.colour.trim()).filter((colour) => colour !== ''))]}
            onRemoveExisting={product ? (image) => void removeImage(image.id) : undefined}
            error={errors.fields.image}
          />
        </section>
      </div>

      <section className="card">
        <h2>Variants</h2>
        <p className="hint">One row per size and colour, with its price in US dollars and the units you have in stock.</p>
        {errors.fields.variants && <p className="field-error" role="alert">{errors.fields.variants}</p>}
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Variants">
          <table className="table variants-table">
            <thead><tr><th scope="col">Size</th><th scope="col">Colour</th><th scope="col">Price (USD)</th><th scope="col">Stock</th><th scope="col"><span className="visually-hidden">Remove</span></th></tr></thead>
            <tbody>
              {rows.map((row, index) => {
                const e = rowErrors[row.key] ?? {};
                return (
                  <tr key={row.key}>
                    {(['size', 'colour', 'price', 'stock'] as const).map((field) => (
                      <td key={field}>
                        <input
                          aria-label={`${field[0]?.toUpperCase()}${field.slice(1)} of variant ${index + 1}`}
                          inputMode={field === 'price' ? 'decimal' : field === 'stock' ? 'numeric' : undefined}
                          value={row[field]}
                          placeholder={field === 'price' ? '49.99' : field === 'size' ? 'M' : field === 'colour' ? 'Navy' : '0'}
                          onChange={(ev) => updateRow(row.key, { [field]: ev.target.value })}
                          aria-invalid={e[field] ? true : undefined}
                          name={`variant-${index}-${field}`}
                        />
                        {e[field] && <p className="field-error">{e[field]}</p>}
                      </td>
                    ))}
                    <td>
                      <button type="button" className="link-button" onClick={() => setRows((current) => current.filter((r) => r.key !== row.key))} disabled={rows.length === 1 || row.id !== undefined} aria-label={`Remove variant ${index + 1}`} title={row.id !== undefined ? 'Variants that may have been ordered stay; set their stock to 0 instead.' : undefined}>
                        Remove
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        <button type="button" className="button button--secondary button--small" onClick={() => setRows((current) => [...current, newRow({ colour: current[current.length - 1]?.colour ?? '', price: current[current.length - 1]?.price ?? '' })])}>
          + Add variant
        </button>
      </section>

      <div className="editor__actions">
        <button type="submit" className="button button--secondary" disabled={isSaving}>{isSaving ? 'Saving…' : product ? 'Save changes' : 'Save as draft'}</button>
        {!isPublished && <button type="button" className="button" disabled={isSaving} onClick={(e) => void save(e, true)}>{product ? 'Save and publish' : 'Create and publish'}</button>}
        {isPublished && <button type="button" className="button button--secondary" disabled={isSaving} onClick={() => void togglePublished()}>Unpublish</button>}
        <Link to="/seller" className="link-button">Cancel</Link>
      </div>
    </form>
  );
}
