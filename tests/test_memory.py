

def test_device_windows_take_sample_runs_and_an_int32_order():
    from rnncast.devices import DeviceWindows

    frames = _frames()
    data = training_set(frames, _rows(frames), 3, 2, "direct", 0.3)
    train = data.split()[0]
    order = torch.tensor([4, 0, len(train) - 1], dtype=torch.int32)
    device = DeviceWindows(data.windows, train, torch.device("cpu"))
    assert torch.equal(device[order], WindowBatches(data.windows, train, torch.from_numpy)[order])
