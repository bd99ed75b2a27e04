import { useState, type FormEvent } from 'react';

import { describeError } from '../../lib/api';
import { mapColour, useColourVocabulary, type ColourVocabulary } from './admin-api';

type Family = ColourVocabulary['families'][number];

function FamilySelect({ id, label, families, value, onChange }: { id: string; label: string; families: Family[]; value: string; onChange: (value: string) => void }) {
  return (
    <label htmlFor={id}>
      <span className="visually-hidden">{label}</span>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">Choose a family…</option>
        {families.map((family) => <option key={family.slug} value={family.slug}>{family.name}</option>)}
      </select>
    </label>
  );
}

/**
 * The colour vocabulary: sellers name colours freely; shoppers filter by family. Names the
 * vocabulary knows (any case or spacing, or whose last word it knows) file under their family at
 * once; the rest are listed here to map. A mapping applies to every product at once.
 */
export default function ColoursPage() {
  const { data, error, isLoading, reload } = useColourVocabulary();
  const [choices, setChoices] = useState<Record<string, string>>({});
  const [name, setName] = useState('');
  const [family, setFamily] = useState('');
  const [notice, setNotice] = useState<{ tone: 'ok' | 'error'; text: string } | undefined>();
  const families = data?.families ?? [];
  const familyName = (slug: string): string => families.find((entry) => entry.slug === slug)?.name ?? slug;

  async function save(colour: string, chosen: string | undefined) {
    if (!chosen) return setNotice({ tone: 'error', text: `Choose a family for “${colour}” first.` });
    try {
      const result = await mapColour(colour, chosen);
      setNotice({ tone: 'ok', text: `“${result.name}” is now ${familyName(result.family)} (${result.variants} ${result.variants === 1 ? 'variant' : 'variants'}).` });
      reload();
    } catch (caught) {
      setNotice({ tone: 'error', text: describeError(caught) });
    }
  }

  function submitNew(event: FormEvent) {
    event.preventDefault();
    if (name.trim() === '') return setNotice({ tone: 'error', text: 'Enter a colour name.' });
    void save(name.trim(), family).then(() => setName(''));
  }

  return (
    <section aria-labelledby="colours-heading">
      <h1 id="colours-heading">Colours</h1>
      <p className="muted">Shoppers filter by colour family. Colour names sellers use that no family is known for are listed here; map each once and every product in that colour files under it.</p>
      {notice && <p className={`alert ${notice.tone === 'ok' ? 'alert--success' : 'alert--error'}`} role={notice.tone === 'ok' ? 'status' : 'alert'}>{notice.text}</p>}
      {error !== undefined && <p className="alert alert--error" role="alert">{describeError(error)}</p>}
      {isLoading && !data ? <p className="muted">Loading…</p> : (
        <>
          <h2>Not yet mapped</h2>
          {data && data.unmapped.length === 0 ? <p className="muted" data-testid="no-unmapped">Every colour on sale has a family.</p> : (
            <div className="table-wrap" tabIndex={0} role="region" aria-label="Colours without a family">
              <table className="table">
                <thead><tr><th scope="col">Colour</th><th scope="col">Products</th><th scope="col">Family</th><th scope="col"><span className="visually-hidden">Save</span></th></tr></thead>
                <tbody>
                  {(data?.unmapped ?? []).map((colour, index) => (
                    <tr key={colour.name}>
                      <td>{colour.name}</td>
                      <td>{colour.products}</td>
                      <td>
                        <FamilySelect id={`unmapped-${index}`} label={`Family of ${colour.name}`} families={families} value={choices[colour.name] ?? ''} onChange={(value) => setChoices({ ...choices, [colour.name]: value })} />
                      </td>
                      <td><button type="button" className="button button--small" onClick={() => void save(colour.name, choices[colour.name])} aria-label={`Save ${colour.name}`}>Save</button></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}

          <h2>Map a colour name</h2>
          <form className="toolbar" onSubmit={submitNew} noValidate>
            <label className="field field--inline"><span>Colour name</span><input value={name} maxLength={40} onChange={(e) => setName(e.target.value)} placeholder="e.g. Seafoam" /></label>
            <FamilySelect id="new-colour-family" label="Family of the new colour name" families={families} value={family} onChange={setFamily} />
            <button type="submit" className="button button--small">Map</button>
          </form>

          <h2>Mapped by staff</h2>
          {data && data.mapped.length === 0 ? <p className="muted">None yet: the built-in vocabulary covers every colour so far.</p> : (
            <ul className="family-mappings">
              {(data?.mapped ?? []).map((mapping) => (
                <li key={mapping.name}>
                  <span className="swatch" style={{ background: families.find((entry) => entry.slug === mapping.family)?.hex }} aria-hidden="true" /> {mapping.name} → {familyName(mapping.family)}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
