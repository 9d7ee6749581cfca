"""Third-party browser code shipped with batchlab, with its licence beside it: plotly.js's
cartesian bundle (npm ``plotly.js-cartesian-dist-min``, the release the plotly wheel
carries). Importing this names the file and imports nothing else."""

from pathlib import Path

PLOTLY_JS = Path(__file__).with_name("plotly-cartesian.min.js")
