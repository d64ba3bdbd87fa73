"""Screenshots of the HTML explorer, taken with headless Chromium, into this folder.

    python docs/images/make_explorer_images.py

Needs Debian's ``chromium`` and ``chromium-driver`` and ``selenium`` (the test
extra). Writes

* ``explorer_credit_g_c45.png``: C4.5 on credit-g as the page opens, the route of
  one applicant predicted "bad" chosen in the row list and its last node clicked;
* ``explorer_cart_2000.png``: a fully grown CART tree of about 2000 nodes
  (synthetic data with label noise) as it opens, with a feature searched for.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
from sklearn.datasets import make_classification

from treelearn import C45Classifier, CARTClassifier
from treelearn.datasets import load_credit_g
from treelearn.export import export_html

HERE = Path(__file__).resolve().parent


def _driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary = shutil.which("chromium")
    chromedriver = shutil.which("chromedriver")
    if binary is None or chromedriver is None:
        sys.exit("needs chromium and chromium-driver (apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    options.add_argument("--window-size=1500,850")
    options.binary_location = binary
    return webdriver.Chrome(service=Service(chromedriver), options=options)


def main() -> None:
    from selenium.webdriver.support.ui import Select

    X, y = load_credit_g(as_frame=True, return_X_y=True)
    c45 = C45Classifier().fit(X, y)
    bad = int(np.flatnonzero(c45.predict(X) == "bad")[0])
    X2, y2 = make_classification(
        n_samples=4000, n_features=12, n_informative=8, n_classes=3, flip_y=0.3, random_state=1
    )
    names = [f"f{j}" for j in range(X2.shape[1])]
    cart = CARTClassifier().fit(X2, y2)
    print(f"CART tree: {cart.tree_.node_count} nodes")
    driver = _driver()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            page = Path(tmp) / "credit.html"
            page.write_text(export_html(c45, X=X.iloc[:100]), encoding="utf-8")
            driver.get(page.as_uri())
            Select(driver.find_element("id", "tl-row-list")).select_by_value(str(bad))
            leaf = int(c45.apply(X.iloc[[bad]])[0])
            driver.execute_script("window.treelearnExplorer.select(arguments[0])", leaf)
            driver.save_screenshot(str(HERE / "explorer_credit_g_c45.png"))

            page = Path(tmp) / "cart.html"
            page.write_text(export_html(cart, X=X2[:50], feature_names=names), encoding="utf-8")
            driver.get(page.as_uri())
            driver.find_element("id", "tl-search").send_keys("f3")
            driver.save_screenshot(str(HERE / "explorer_cart_2000.png"))
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
