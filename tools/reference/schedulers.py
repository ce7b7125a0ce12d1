"""Reference learning-rate sequences of PyTorch 1.13's schedulers, for test/schedulers.test.ts.

Run from the repository root with Debian's Python (python3-torch 1.13.1+dfsg, whose
torch.__version__ reads '1.13.0a0'; glibc's libm gives math.cos, math.log and float **):

    /usr/bin/python3 tools/reference/schedulers.py

Writes test/fixtures/schedulers/reference.json: for every case, the optimizer (SGD or Adam, 1-3
param groups over a dummy parameter), the scheduler configuration (wasm-optim's camelCased
option names; functions by name, implemented in the test too), the step() calls (plain, with an
epoch, or ReduceLROnPlateau's metric), and every param group's lr (and momentum or beta1 when
cycled) after construction and after each step, as float64 (json writes repr, which round-trips).
OneCycleLR 'linear' runs stop one step short of total_steps: PyTorch's last step there extrapolates
past the minimum to a negative lr, which wasm-optim's optimizers refuse (the test checks that).
A resumed run per case: after step k, the scheduler's state_dict (JSON-safe: functions and weak
references dropped, Counter as {"epoch": count}, +-inf as "Infinity"/"-Infinity") and the param
groups' lr/initial_lr/momentum/betas (and OneCycleLR's group keys) are saved; a fresh optimizer
and scheduler are built, the optimizer's and the scheduler's state dicts loaded, and the run
continues to the end, recording again.
"""
import json
import math
import os
import sys
import warnings

import torch
from torch.optim import SGD, Adam
from torch.optim import lr_scheduler as S

warnings.filterwarnings('ignore')
assert torch.__version__.startswith('1.13'), torch.__version__  # Debian's 1.13.1 says '1.13.0a0'

OUT = os.path.join('test', 'fixtures', 'schedulers', 'reference.json')

# Named functions: the test implements each one identically in JavaScript.
LAMBDAS = {
    'pow095': lambda e: 0.95 ** e,
    'inv': lambda e: 1 / (e + 1),
    'halfEvery10': lambda e: 0.5 ** (e // 10),
    'linear200': lambda e: 1 - e / 200,
    'warmup10': lambda e: min(1.0, (e + 1) / 10),
    'const095': lambda e: 0.95,
    'slowDecay': lambda e: 1 - 0.001 * e,
    'pow09': lambda x: 0.9 ** x,
    'invCycle': lambda x: 1 / x,
    'invIter': lambda x: 1 / (1 + 0.01 * x),
}

SNAKE = {
    'stepSize': 'step_size', 'lastEpoch': 'last_epoch', 'totalIters': 'total_iters',
    'startFactor': 'start_factor', 'endFactor': 'end_factor', 'tMax': 'T_max', 'etaMin': 'eta_min',
    't0': 'T_0', 'tMult': 'T_mult', 'baseLr': 'base_lr', 'maxLr': 'max_lr', 'stepSizeUp': 'step_size_up',
    'stepSizeDown': 'step_size_down', 'scaleFn': 'scale_fn', 'scaleMode': 'scale_mode',
    'cycleMomentum': 'cycle_momentum', 'baseMomentum': 'base_momentum', 'maxMomentum': 'max_momentum',
    'totalSteps': 'total_steps', 'stepsPerEpoch': 'steps_per_epoch', 'pctStart': 'pct_start',
    'annealStrategy': 'anneal_strategy', 'divFactor': 'div_factor', 'finalDivFactor': 'final_div_factor',
    'threePhase': 'three_phase', 'thresholdMode': 'threshold_mode', 'minLr': 'min_lr', 'lrLambda': 'lr_lambda',
}


def py_options(options):
    out = {}
    for key, value in options.items():
        if key in ('lrLambda', 'scaleFn'):
            value = [LAMBDAS[v] for v in value] if isinstance(value, list) else LAMBDAS[value]
        out[SNAKE.get(key, key)] = value
    return out


def make_optimizer(spec):
    groups = []
    for g in spec['groups']:
        group = {'params': [torch.nn.Parameter(torch.zeros(1))], 'lr': g['lr']}
        if 'momentum' in g:
            group['momentum'] = g['momentum']
        if 'betas' in g:
            group['betas'] = tuple(g['betas'])
        groups.append(group)
    if spec['type'] == 'SGD':
        return SGD(groups, lr=spec['groups'][0]['lr'])
    return Adam(groups, lr=spec['groups'][0]['lr'])


def build(opt, spec):
    kind = spec['type']
    if kind == 'SequentialLR':
        subs = [build(opt, s) for s in spec['schedulers']]
        return S.SequentialLR(opt, subs, **py_options(spec.get('options', {})))
    if kind == 'ChainedScheduler':
        return S.ChainedScheduler([build(opt, s) for s in spec['schedulers']])
    return getattr(S, kind)(opt, **py_options(spec.get('options', {})))


GROUP_KEYS = ('max_lr', 'min_lr', 'max_momentum', 'base_momentum')


def jsonable(value):
    if isinstance(value, float):
        if math.isinf(value):
            return 'Infinity' if value > 0 else '-Infinity'
        if math.isnan(value):
            return 'NaN'
        return value
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):  # Counter included: {"30": 1}
        return {str(k): jsonable(v) for k, v in value.items() if jsonable_value(v)}
    raise TypeError(type(value))


def jsonable_value(v):
    return not callable(v) and not isinstance(v, (weakref_types))


import weakref  # noqa: E402

weakref_types = (weakref.ref, weakref.WeakMethod)


def state_json(sched, opt, top=True):
    sd = sched.state_dict()
    out = {}
    for key, value in sd.items():
        if callable(value) or isinstance(value, weakref_types):
            continue
        if key == '_schedulers':
            value = [sub_state(v) for v in value]
            out[key] = value
            continue
        out[key] = jsonable(value)
    if top and isinstance(sched, S.OneCycleLR):
        for key in GROUP_KEYS:
            if key in opt.param_groups[0]:
                out[key] = [g[key] for g in opt.param_groups]
    return out


def sub_state(sd):
    return {k: (jsonable(v) if k != '_schedulers' else [sub_state(s) for s in v])
            for k, v in sd.items() if not callable(v) and not isinstance(v, weakref_types)}


def record(opt, track):
    row = {'lr': [g['lr'] for g in opt.param_groups]}
    if 'momentum' in track:
        row['momentum'] = [g['momentum'] for g in opt.param_groups]
    if 'beta1' in track:
        row['beta1'] = [g['betas'][0] for g in opt.param_groups]
    return row


def do_step(sched, call):
    if isinstance(sched, S.ReduceLROnPlateau):
        sched.step(call)
    elif call is None:
        sched.step()
    else:
        sched.step(call)


def append(expected, row):
    for key, values in row.items():
        expected.setdefault(key, []).append(values)


def run_case(case):
    track = case.get('track', [])
    opt = make_optimizer(case['optimizer'])
    if 'initialLr' in case:
        for g, lr in zip(opt.param_groups, case['initialLr']):
            g['initial_lr'] = lr
    sched = build(opt, case['scheduler'])
    calls = case.get('calls') or [None] * case['steps']
    assert len(calls) == case['steps']
    expected = {}
    append(expected, record(opt, track))
    k = case.get('resumeAt', case['steps'] // 2)
    resume = None
    for t, call in enumerate(calls):
        do_step(sched, call)
        append(expected, record(opt, track))
        if t + 1 == k:
            resume = {
                'at': k,
                'state': state_json(sched, opt),
                'groups': [{key: (list(v) if isinstance(v, tuple) else v) for key, v in g.items()
                            if key in ('lr', 'initial_lr', 'momentum', 'betas') + GROUP_KEYS}
                           for g in opt.param_groups],
            }
            saved_opt = opt.state_dict()
            saved_sched = sched.state_dict()
    # The resumed run: fresh optimizer and scheduler, then both state dicts loaded.
    opt2 = make_optimizer(case['optimizer'])
    if 'initialLr' in case:
        for g, lr in zip(opt2.param_groups, case['initialLr']):
            g['initial_lr'] = lr
    sched2 = build(opt2, case['scheduler'])
    opt2.load_state_dict(saved_opt)
    sched2.load_state_dict(saved_sched)
    resumed = {}
    for call in calls[k:]:
        do_step(sched2, call)
        append(resumed, record(opt2, track))
    resume['expected'] = resumed
    out = dict(case)
    out['expected'] = expected
    out['resume'] = resume
    return out


def sgd(*lrs, momentum=None):
    groups = []
    for i, lr in enumerate(lrs):
        g = {'lr': lr}
        if momentum is not None:
            g['momentum'] = momentum[i] if isinstance(momentum, list) else momentum
        groups.append(g)
    return {'type': 'SGD', 'groups': groups}


def adam(*lrs, beta1=0.9):
    return {'type': 'Adam', 'groups': [{'lr': lr, 'betas': [beta1, 0.999]} for lr in lrs]}


def cases():
    out = []

    def add(name, optimizer, scheduler, steps, **extra):
        out.append({'name': name, 'optimizer': optimizer, 'scheduler': scheduler, 'steps': steps, **extra})

    three = sgd(0.1, 0.05, 0.3)
    two = sgd(0.1, 0.0123)
    one = sgd(0.1)

    for gamma in (0.1, 0.5, 0.9):
        for step_size in range(1, 8):
            opt = [one, two, three][step_size % 3]
            add(f'StepLR/gamma={gamma}/stepSize={step_size}', opt,
                {'type': 'StepLR', 'options': {'stepSize': step_size, 'gamma': gamma}}, 60)
    add('StepLR/step(epoch)', two, {'type': 'StepLR', 'options': {'stepSize': 3, 'gamma': 0.7}}, 40,
        calls=[None, 2, 3, 7, None, None, 10, 9, 9, None] * 4)
    add('StepLR/lastEpoch=10', two, {'type': 'StepLR', 'options': {'stepSize': 4, 'gamma': 0.5, 'lastEpoch': 10}},
        40, initialLr=[0.2, 0.03])

    for milestones in ([10, 20, 40], [5, 5, 30, 30, 30, 45], [0, 3], [1, 2, 3, 4, 5, 60]):
        for gamma in (0.1, 0.3):
            add(f'MultiStepLR/{milestones}/gamma={gamma}', three,
                {'type': 'MultiStepLR', 'options': {'milestones': milestones, 'gamma': gamma}}, 70)
    add('MultiStepLR/step(epoch)', two, {'type': 'MultiStepLR', 'options': {'milestones': [3, 3, 8], 'gamma': 0.5}},
        30, calls=[None, 4, 9, 2, None, 8, None, 3, 3, None] * 3)

    for factor in (1 / 3, 0.5, 0.25, 1.0):
        for total in (1, 4, 7):
            add(f'ConstantLR/factor={factor}/totalIters={total}', two,
                {'type': 'ConstantLR', 'options': {'factor': factor, 'totalIters': total}}, 20)
    add('ConstantLR/step(epoch)', two, {'type': 'ConstantLR', 'options': {}}, 20,
        calls=[None, 3, 6, 2, None] * 4)

    for start, end, total in ((1 / 3, 1.0, 5), (0.1, 1.0, 13), (1.0, 0.05, 30), (0.5, 0.5, 4), (0.25, 0.75, 7)):
        add(f'LinearLR/{start}->{end}/{total}', three,
            {'type': 'LinearLR', 'options': {'startFactor': start, 'endFactor': end, 'totalIters': total}}, 40)
    add('LinearLR/step(epoch)', two, {'type': 'LinearLR', 'options': {'totalIters': 9}}, 24,
        calls=[None, 3, 6, 2, None, 12] * 4)

    for gamma in (0.9, 0.99, 0.5, 1.01):
        add(f'ExponentialLR/gamma={gamma}', three, {'type': 'ExponentialLR', 'options': {'gamma': gamma}}, 100)
    add('ExponentialLR/step(epoch)', two, {'type': 'ExponentialLR', 'options': {'gamma': 0.93}}, 30,
        calls=[None, 5, 17, 2, None, 40] * 5)

    for power in (0.5, 1.0, 2.0, 3.0, 2):
        for total in (5, 17, 100):
            add(f'PolynomialLR/power={power}/totalIters={total}', two,
                {'type': 'PolynomialLR', 'options': {'totalIters': total, 'power': power}}, 110)
    add('PolynomialLR/step(epoch)', two, {'type': 'PolynomialLR', 'options': {'totalIters': 20, 'power': 2.0}},
        24, calls=[None, 3, 6, 2, None, 30] * 4)

    for t_max in (1, 3, 10, 50, 150):
        for eta in (0, 0.001, 0.01):
            add(f'CosineAnnealingLR/tMax={t_max}/etaMin={eta}', three,
                {'type': 'CosineAnnealingLR', 'options': {'tMax': t_max, 'etaMin': eta}}, 200)
    for last in (0, 5, 25, 60):
        add(f'CosineAnnealingLR/lastEpoch={last}', two,
            {'type': 'CosineAnnealingLR', 'options': {'tMax': 20, 'etaMin': 0.001, 'lastEpoch': last}}, 80,
            initialLr=[0.1, 0.02])
    add('CosineAnnealingLR/step(epoch)', two, {'type': 'CosineAnnealingLR', 'options': {'tMax': 10}}, 40,
        calls=[None, 3, 7, 2, None, 15, None, 31, 32, None] * 4)

    for t0 in (1, 5, 10):
        for t_mult in (1, 2, 3):
            for eta in (0, 0.005):
                add(f'CosineAnnealingWarmRestarts/t0={t0}/tMult={t_mult}/etaMin={eta}', two,
                    {'type': 'CosineAnnealingWarmRestarts', 'options': {'t0': t0, 'tMult': t_mult, 'etaMin': eta}},
                    150)
    for t0, t_mult, iters in ((10, 1, 7), (5, 2, 4), (3, 3, 10), (7, 2, 3)):
        calls = [epoch + i / iters for epoch in range(20) for i in range(iters)][:200]
        add(f'CosineAnnealingWarmRestarts/fractional/t0={t0}/tMult={t_mult}/iters={iters}', two,
            {'type': 'CosineAnnealingWarmRestarts', 'options': {'t0': t0, 'tMult': t_mult, 'etaMin': 0.001}},
            len(calls), calls=calls)
    add('CosineAnnealingWarmRestarts/mixed', two,
        {'type': 'CosineAnnealingWarmRestarts', 'options': {'t0': 4, 'tMult': 2}}, 40,
        calls=[None, None, 2.5, None, 17.25, None, None, 0.5, 44, None] * 4)
    add('CosineAnnealingWarmRestarts/lastEpoch=7', two,
        {'type': 'CosineAnnealingWarmRestarts', 'options': {'t0': 5, 'tMult': 2, 'lastEpoch': 7}}, 60,
        initialLr=[0.2, 0.05])

    sgd_m = sgd(0.1, 0.05, momentum=[0.9, 0.5])
    for mode in ('triangular', 'triangular2', 'exp_range'):
        for up, down in ((5, None), (4, 9), (10, 3), (1, 1)):
            options = {'baseLr': 0.001, 'maxLr': [0.1, 0.05], 'stepSizeUp': up, 'mode': mode, 'gamma': 0.99}
            if down is not None:
                options['stepSizeDown'] = down
            add(f'CyclicLR/{mode}/up={up}/down={down}', sgd_m, {'type': 'CyclicLR', 'options': options}, 120,
                track=['momentum'])
    add('CyclicLR/noMomentum', adam(0.01, 0.02),
        {'type': 'CyclicLR', 'options': {'baseLr': [0.001, 0.002], 'maxLr': 0.01, 'stepSizeUp': 7,
                                         'cycleMomentum': False}}, 60)
    add('CyclicLR/momentumBounds', sgd_m,
        {'type': 'CyclicLR', 'options': {'baseLr': 0.01, 'maxLr': 0.2, 'stepSizeUp': 6, 'baseMomentum': [0.7, 0.6],
                                         'maxMomentum': 0.95, 'mode': 'triangular2'}}, 80, track=['momentum'])
    for fn, scale_mode in (('pow09', 'cycle'), ('invCycle', 'cycle'), ('invIter', 'iterations'),
                           ('pow09', 'iterations')):
        add(f'CyclicLR/scaleFn={fn}/{scale_mode}', sgd_m,
            {'type': 'CyclicLR', 'options': {'baseLr': 0.001, 'maxLr': 0.1, 'stepSizeUp': 5, 'stepSizeDown': 8,
                                             'scaleFn': fn, 'scaleMode': scale_mode}}, 100, track=['momentum'])

    for strategy in ('cos', 'linear'):
        for three_phase in (False, True):
            for pct in (0.3, 0.25, 0.5):
                for total in (10, 100, 137):
                    add(f'OneCycleLR/{strategy}/threePhase={three_phase}/pct={pct}/total={total}/sgd', sgd_m,
                        {'type': 'OneCycleLR', 'options': {'maxLr': [0.1, 0.3], 'totalSteps': total, 'pctStart': pct,
                                                           'annealStrategy': strategy, 'threePhase': three_phase}},
                        total if strategy == 'cos' else total - 1, track=['momentum'])
            add(f'OneCycleLR/{strategy}/threePhase={three_phase}/adam', adam(0.001, 0.002, beta1=0.8),
                {'type': 'OneCycleLR', 'options': {'maxLr': 0.01, 'epochs': 6, 'stepsPerEpoch': 15,
                                                   'annealStrategy': strategy, 'threePhase': three_phase,
                                                   'divFactor': 10.0, 'finalDivFactor': 100.0,
                                                   'baseMomentum': [0.8, 0.7], 'maxMomentum': 0.9}},
                90 if strategy == 'cos' else 89, track=['beta1'])
    add('OneCycleLR/noMomentum', adam(0.001), {'type': 'OneCycleLR', 'options': {
        'maxLr': 0.05, 'totalSteps': 50, 'cycleMomentum': False}}, 50)

    for name, lam in (('pow095', 'pow095'), ('inv', 'inv'), ('halfEvery10', 'halfEvery10'),
                      ('linear200', 'linear200'), ('warmup10', 'warmup10'), ('list', ['pow095', 'warmup10'])):
        add(f'LambdaLR/{name}', two, {'type': 'LambdaLR', 'options': {'lrLambda': lam}}, 150)
    add('LambdaLR/step(epoch)', two, {'type': 'LambdaLR', 'options': {'lrLambda': 'pow095'}}, 20,
        calls=[None, 5, 3, None, 12] * 4)
    for name, lam in (('const095', 'const095'), ('slowDecay', 'slowDecay'), ('list', ['const095', 'slowDecay'])):
        add(f'MultiplicativeLR/{name}', two, {'type': 'MultiplicativeLR', 'options': {'lrLambda': lam}}, 150)

    metrics_a = [1 / (1 + 0.1 * t) + 0.05 * ((t * 7919) % 13) / 13 for t in range(150)]
    metrics_b = [(t % 17) * 0.01 + (0.5 if t > 60 else 0.0) for t in range(150)]
    for mode, metrics in (('min', metrics_a), ('max', metrics_b), ('min', metrics_b), ('max', metrics_a)):
        for threshold_mode in ('rel', 'abs'):
            for patience, cooldown in ((0, 0), (3, 0), (2, 4), (10, 2)):
                options = {'mode': mode, 'thresholdMode': threshold_mode, 'patience': patience,
                           'cooldown': cooldown, 'factor': 0.5, 'threshold': 0.01}
                add(f'ReduceLROnPlateau/{mode}/{threshold_mode}/patience={patience}/cooldown={cooldown}/'
                    f'{"a" if metrics is metrics_a else "b"}', three,
                    {'type': 'ReduceLROnPlateau', 'options': options}, 150, calls=metrics)
    add('ReduceLROnPlateau/minLr+eps', three,
        {'type': 'ReduceLROnPlateau', 'options': {'minLr': [0.01, 0.02, 0.001], 'eps': 1e-3, 'patience': 1,
                                                  'factor': 0.3}}, 150, calls=metrics_b)
    add('ReduceLROnPlateau/defaults', two, {'type': 'ReduceLROnPlateau', 'options': {}}, 150, calls=metrics_b)

    warm = {'type': 'LinearLR', 'options': {'startFactor': 0.1, 'totalIters': 5}}
    add('SequentialLR/linear+cosine', two,
        {'type': 'SequentialLR', 'schedulers': [warm, {'type': 'CosineAnnealingLR', 'options': {'tMax': 30}}],
         'options': {'milestones': [5]}}, 80)
    add('SequentialLR/constant+exponential+step', three,
        {'type': 'SequentialLR', 'schedulers': [
            {'type': 'ConstantLR', 'options': {'factor': 0.5, 'totalIters': 3}},
            {'type': 'ExponentialLR', 'options': {'gamma': 0.9}},
            {'type': 'StepLR', 'options': {'stepSize': 4, 'gamma': 0.5}}], 'options': {'milestones': [6, 20]}}, 60,
        resumeAt=13)
    add('SequentialLR/linear+warmRestarts', two,
        {'type': 'SequentialLR', 'schedulers': [warm, {'type': 'CosineAnnealingWarmRestarts',
                                                       'options': {'t0': 7, 'tMult': 2}}],
         'options': {'milestones': [5]}}, 80)
    add('SequentialLR/lambda+multistep+poly', two,
        {'type': 'SequentialLR', 'schedulers': [
            {'type': 'LambdaLR', 'options': {'lrLambda': 'warmup10'}},
            {'type': 'MultiStepLR', 'options': {'milestones': [3, 9], 'gamma': 0.5}},
            {'type': 'PolynomialLR', 'options': {'totalIters': 30, 'power': 2.0}}],
         'options': {'milestones': [10, 25]}}, 80, resumeAt=22)
    add('SequentialLR/cyclic+onecycle', sgd_m,
        {'type': 'SequentialLR', 'schedulers': [
            {'type': 'CyclicLR', 'options': {'baseLr': 0.01, 'maxLr': 0.1, 'stepSizeUp': 4}},
            {'type': 'OneCycleLR', 'options': {'maxLr': 0.2, 'totalSteps': 60}}],
         'options': {'milestones': [15]}}, 70, track=['momentum'])
    add('ChainedScheduler/constant+exponential', two,
        {'type': 'ChainedScheduler', 'schedulers': [
            {'type': 'ConstantLR', 'options': {'factor': 0.1, 'totalIters': 2}},
            {'type': 'ExponentialLR', 'options': {'gamma': 0.9}}]}, 60)
    add('ChainedScheduler/linear+cosine+step', three,
        {'type': 'ChainedScheduler', 'schedulers': [
            {'type': 'LinearLR', 'options': {'startFactor': 0.2, 'totalIters': 8}},
            {'type': 'CosineAnnealingLR', 'options': {'tMax': 25, 'etaMin': 0.001}},
            {'type': 'StepLR', 'options': {'stepSize': 10, 'gamma': 0.7}}]}, 100)
    add('ChainedScheduler/multiplicative+multistep', two,
        {'type': 'ChainedScheduler', 'schedulers': [
            {'type': 'MultiplicativeLR', 'options': {'lrLambda': 'const095'}},
            {'type': 'MultiStepLR', 'options': {'milestones': [10, 10, 30]}}]}, 60)
    add('ChainedScheduler/sequential+exponential', two,
        {'type': 'ChainedScheduler', 'schedulers': [
            {'type': 'SequentialLR', 'schedulers': [warm, {'type': 'StepLR', 'options': {'stepSize': 5}}],
             'options': {'milestones': [6]}},
            {'type': 'ExponentialLR', 'options': {'gamma': 0.97}}]}, 60, resumeAt=9)
    return out


def main():
    results = [run_case(c) for c in cases()]
    text = json.dumps({'torch': torch.__version__, 'cases': results}, allow_nan=False, separators=(',', ':'))
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        f.write(text)
    print(f'{OUT}: {len(results)} cases, {len(text)} bytes', file=sys.stderr)


if __name__ == '__main__':
    main()
