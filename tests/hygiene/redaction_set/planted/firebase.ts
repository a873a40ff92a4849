const firebaseConfig = {
  apiKey: "AIzamLMwT3zWLA825gFKEOU0Ekm5h-Kt9sbg9bA",
  authDomain: "pixel-quest.firebaseapp.com",
  projectId: "pixel-quest",
};
const GITHUB_TOKEN = "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";
// maintainer: Bob Smith <bob.smith@gmail.com>
