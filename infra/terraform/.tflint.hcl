# tflint (make lint-terraform): every rule of the bundled Terraform ruleset. The
# provider rulesets are plugins fetched from GitHub, which this project's machines
# cannot reach; the Go tests of this folder check the Google-specific invariants.

config {
  call_module_type = "none"
}

plugin "terraform" {
  enabled = true
  preset  = "all"
}

# The standard module structure asks for main.tf; this root module has one file per
# concern instead (README.md).
rule "terraform_standard_module_structure" {
  enabled = false
}
