# A Python job script: reads hyper-parameters, "trains" for a few epochs, reports loss, writes a model file.
# Run it with: lodestone dlc create-job --name py --command "python3 docs/examples/train.py --epochs 3" --wait
import json
import os
import sys

hp = json.loads(os.environ["LODESTONE_HYPERPARAMETERS"])
epochs = int(hp.get("epochs", "2"))
loss = 1.0
for epoch in range(epochs):
    loss *= 0.5
    print("##lodestone " + json.dumps({"progress": (epoch + 1) / epochs, "metrics": {"loss": loss}, "step": epoch + 1}))
with open(os.path.join(os.environ["LODESTONE_OUTPUT_DIR"], "model.json"), "w") as f:
    json.dump({"epochs": epochs, "loss": loss, "args": sys.argv[1:]}, f)
