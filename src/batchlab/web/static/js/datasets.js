// The race's datasets as the page names them; the lesson's measurements and the deep dives share these.

/** The four datasets as [key, name], in the order the dives list them. */
export const DATASETS = [["synthetic", "Synthetic regression"], ["synthetic-classification", "Synthetic classification"],
  ["diabetes", "Diabetes"], ["breast-cancer", "Breast cancer"]];

/** Names of the datasets only the measurements use. */
const MEASURED = [["synthetic-offset", "Synthetic regression, off-centre feature"]];

/** Their sizes N. */
export const SIZES = { synthetic: 1000, "synthetic-classification": 1000, diabetes: 442, "breast-cancer": 569 };

/** A dataset's name as a heading starts it ("Synthetic regression"); an unknown key as it is. */
export const datasetName = (key) => ([...DATASETS, ...MEASURED].find(([k]) => k === key) || [key, key])[1];

/** The same name in running text ("synthetic regression"). */
export const nameOf = (key) => datasetName(key).toLowerCase();
