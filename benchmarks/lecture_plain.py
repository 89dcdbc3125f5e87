"""The seed lecture's stock-prediction script as a plain program, the yardstick for rnncast's demo.

    python benchmarks/lecture_plain.py [path/to/stock_daily.csv]

It follows the lecture's code: ``np.loadtxt``, reverse, 70/30 split with the test part starting
``seq_length`` rows early, min-max scaling of EACH part by its own min/max (the look-ahead the
lecture makes), ``build_dataset`` with its print per window, ``Net`` = LSTM + Linear on the last
step, MSE + Adam lr 0.01 for 500 full-batch iterations printing the loss, and the plot. At the end
it prints the test RMSE in dollars (undoing the test scaling) and naive's RMSE on the same days.
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.optim as optim  # noqa: E402

torch.manual_seed(0)

seq_length = 7
data_dim = 5
hidden_dim = 10
output_dim = 1
learning_rate = 0.01
iterations = 500

DEFAULT = Path(__file__).resolve().parents[1] / "src" / "rnncast" / "datasets" / "stock_daily.csv"
xy = np.loadtxt(sys.argv[1] if len(sys.argv) > 1 else DEFAULT, delimiter=",")
xy = xy[::-1]

train_size = int(len(xy) * 0.7)
train_set = xy[0:train_size]
test_set = xy[train_size - seq_length :]


def minmax_scaler(data):
    numerator = data - np.min(data, 0)
    denominator = np.max(data, 0) - np.min(data, 0)
    return numerator / (denominator + 1e-7)


test_low, test_high = np.min(test_set, 0)[-1], np.max(test_set, 0)[-1]
train_set = minmax_scaler(train_set)
test_set = minmax_scaler(test_set)


def build_dataset(time_series, seq_length):
    dataX = []
    dataY = []
    for i in range(0, len(time_series) - seq_length):
        _x = time_series[i : i + seq_length, :]
        _y = time_series[i + seq_length, [-1]]
        print(_x, "->", _y)
        dataX.append(_x)
        dataY.append(_y)
    return np.array(dataX), np.array(dataY)


trainX, trainY = build_dataset(train_set, seq_length)
testX, testY = build_dataset(test_set, seq_length)

trainX_tensor = torch.FloatTensor(trainX)
trainY_tensor = torch.FloatTensor(trainY)
testX_tensor = torch.FloatTensor(testX)
testY_tensor = torch.FloatTensor(testY)


class Net(torch.nn.Module):
    def __init__(self, input_dim, hidden_dim, output_dim, layers):
        super().__init__()
        self.rnn = torch.nn.LSTM(input_dim, hidden_dim, num_layers=layers, batch_first=True)
        self.fc = torch.nn.Linear(hidden_dim, output_dim, bias=True)

    def forward(self, x):
        x, _status = self.rnn(x)
        x = self.fc(x[:, -1])
        return x


net = Net(data_dim, hidden_dim, output_dim, 1)
criterion = torch.nn.MSELoss()
optimizer = optim.Adam(net.parameters(), lr=learning_rate)

for i in range(iterations):
    optimizer.zero_grad()
    outputs = net(trainX_tensor)
    loss = criterion(outputs, trainY_tensor)
    loss.backward()
    optimizer.step()
    print(i, loss.item())

plt.plot(testY)
plt.plot(net(testX_tensor).data.numpy())
plt.legend(["original", "prediction"])
plt.show()

# Not in the lecture: the figures in dollars, to compare with rnncast's demo.
span = test_high - test_low + 1e-7
pred = net(testX_tensor).data.numpy()[:, 0] * span + test_low
true = testY[:, 0] * span + test_low
naive = testX[:, -1, -1] * span + test_low
print(f"test RMSE (look-ahead scaling) {np.sqrt(np.mean((pred - true) ** 2)):.4f}")
print(f"naive RMSE {np.sqrt(np.mean((naive - true) ** 2)):.4f}")
