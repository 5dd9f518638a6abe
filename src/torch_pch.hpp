// Precompiled header for translation units that use LibTorch (see cmake/dop_warnings.cmake).
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/types.h>
#include <torch/utils.h>
